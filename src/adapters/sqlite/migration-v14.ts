/**
 * Migration 14 (copies after each backup of a task, resumable encrypted uploads; issue 14).
 *
 * tasks.copy_to     the target every new point of the task is copied to after its backup
 *                   (null: none). `target remove` is refused while a task names it.
 * copies.attempts   copy jobs that failed for this point × target since it was last copied
 *                   (a task's copy is retried with backoff: service/copies/auto-copy.ts).
 * copies.retry_at   when the next retry is due (ms); null: none scheduled (copied, given up,
 *                   or a copy by hand, which is never retried).
 * uploads.enc       an encrypted multipart upload's resume state (JSON: the object's salt, the
 *                   frame size, the source file's identity); null for clear uploads.
 */

export const V14 = `
ALTER TABLE tasks ADD COLUMN copy_to TEXT REFERENCES targets(id);
ALTER TABLE copies ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE copies ADD COLUMN retry_at INTEGER;
ALTER TABLE uploads ADD COLUMN enc TEXT;
`;
