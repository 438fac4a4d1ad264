/**
 * Migration 14 (copies after each backup of a task, resumable encrypted uploads; issue 14).
 *
 * task_targets      the targets every new point of a task is copied to after its backup, in the
 *                   order given. `target remove` is refused while a task names the target.
 * copies.attempts   copy jobs that failed for this point × target since it was last copied
 *                   (a task's copy is retried with backoff: service/copies/auto-copy.ts).
 * copies.retry_at   when the next retry is due (ms); null: none scheduled (copied, given up,
 *                   or a copy by hand, which is never retried).
 * uploads.enc       an encrypted multipart upload's resume state (JSON: the object's salt, the
 *                   frame size, the source file's identity); null for clear uploads.
 */

export const V14 = `
CREATE TABLE task_targets (
  task_id    TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  target_id  TEXT NOT NULL REFERENCES targets(id),
  position   INTEGER NOT NULL CHECK (position >= 0),
  PRIMARY KEY (task_id, target_id)
) STRICT;
CREATE INDEX task_targets_by_target ON task_targets(target_id);
ALTER TABLE copies ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE copies ADD COLUMN retry_at INTEGER;
ALTER TABLE uploads ADD COLUMN enc TEXT;
`;
