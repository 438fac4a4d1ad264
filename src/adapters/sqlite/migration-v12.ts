/**
 * Migration 12 (detached volumes, issue 19).
 *
 * volume_resources  a volume backed up on its own (docs/backup-engine.md "Detached volumes"):
 *                   uuid PK → domains(uuid) (the resource's row there: its points, chains, jobs
 *                   and usage are keyed by it exactly like a domain's; its name is the volume's
 *                   label `POOL/VOL` or the path), path (canonical absolute path of the file at
 *                   the last backup; unique), pool + volume (both set for a libvirt storage
 *                   volume, both null for a file under allowed_volume_dirs), format qcow2|raw,
 *                   created_at, last_backup_at (null until a point is available).
 *
 * The resource kind is the presence of the row: a domains row without one is a domain.
 */

export const V12 = `
CREATE TABLE volume_resources (
  uuid            TEXT PRIMARY KEY REFERENCES domains(uuid) ON DELETE CASCADE,
  path            TEXT NOT NULL UNIQUE,
  pool            TEXT,
  volume          TEXT,
  format          TEXT NOT NULL CHECK (format IN ('qcow2', 'raw')),
  created_at      INTEGER NOT NULL,
  last_backup_at  INTEGER,
  CHECK ((pool IS NULL) = (volume IS NULL))
);
`;
