/**
 * Migration 7 (ownership, issue 12): chains get an owner and two more states; task runs get the
 * outcome `succeeded-with-warnings`.
 *
 * chains       + owner_task_id (the task that made the chain; null: manual backups), owner_name
 *              (the task's name when the chain was made, shown as "(deleted task NAME)" once the
 *              task is gone: no foreign key, the points outlive their task), replaces (the open
 *              chain this one seals when its full point becomes available; pending chains only).
 *              state pending|open|sealed|failed: a new chain is `pending` while its full point is
 *              being made, `open` once that point is available (and the chain it replaces is
 *              sealed in the same transaction), `failed` when its full point failed (it holds
 *              only that error point, is never continued and never sealed anything).
 *              seal_reason is set iff sealed. At most one open chain per (domain, disk set,
 *              owner) (chains_one_open).
 * task_runs    outcome + `succeeded-with-warnings`.
 *
 * Existing chains are assigned to the task whose run history names one of their points (the
 * earliest such run), else to manual backups. SQLite cannot change a CHECK in place and `points`
 * references `chains`: the tables are rebuilt with foreign keys off (migrate() turns them off
 * for a migration that says so and runs foreign_key_check before committing).
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export const CHAIN_STATES_V7 = list(['pending', 'open', 'sealed', 'failed']);
const RUN_TRIGGERS = list(['schedule', 'manual', 'catch-up']);
const RUN_OUTCOMES_V7 = list([
  'running',
  'succeeded',
  'succeeded-with-warnings',
  'partial',
  'failed',
  'skipped',
  'missed',
]);

const CHAIN_COLUMNS = 'id, domain_uuid, disk_set, max_length, state, seal_reason, created_at, sealed_at';
const RUN_COLUMNS = `id, task_id, trigger, policy_id, scheduled_for, started_at, ended_at, outcome, resources,
  notifications`;

export const V7 = `
CREATE TABLE chains_v7 (
  id            TEXT PRIMARY KEY,
  domain_uuid   TEXT NOT NULL REFERENCES domains(uuid),
  disk_set      TEXT NOT NULL,
  max_length    INTEGER NOT NULL CHECK (max_length BETWEEN 1 AND 30),
  state         TEXT NOT NULL CHECK (state IN (${CHAIN_STATES_V7})),
  seal_reason   TEXT,
  owner_task_id TEXT,
  owner_name    TEXT,
  replaces      TEXT,
  created_at    INTEGER NOT NULL,
  sealed_at     INTEGER,
  CHECK ((state = 'sealed') = (seal_reason IS NOT NULL)),
  CHECK ((owner_task_id IS NULL) = (owner_name IS NULL)),
  CHECK (replaces IS NULL OR state = 'pending')
) STRICT;
INSERT INTO chains_v7 (${CHAIN_COLUMNS}, owner_task_id, owner_name)
  SELECT c.id, c.domain_uuid, c.disk_set, c.max_length, c.state, c.seal_reason, c.created_at, c.sealed_at,
         o.task_id, o.task_name
  FROM chains c LEFT JOIN (
    SELECT p.chain_id AS chain_id, r.task_id AS task_id, t.name AS task_name,
           ROW_NUMBER() OVER (PARTITION BY p.chain_id ORDER BY r.started_at, r.rowid) AS n
    FROM task_runs r JOIN tasks t ON t.id = r.task_id, json_each(r.resources) j
    JOIN points p ON p.id = json_extract(j.value, '$.pointId')
  ) o ON o.chain_id = c.id AND o.n = 1
  ORDER BY c.rowid;
DROP TABLE chains;
ALTER TABLE chains_v7 RENAME TO chains;
CREATE UNIQUE INDEX chains_one_open ON chains(domain_uuid, disk_set, IFNULL(owner_task_id, ''))
  WHERE state = 'open';
CREATE INDEX chains_by_domain ON chains(domain_uuid, disk_set, created_at);

CREATE TABLE task_runs_v7 (
  id            TEXT PRIMARY KEY,
  task_id       TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  trigger       TEXT NOT NULL CHECK (trigger IN (${RUN_TRIGGERS})),
  policy_id     TEXT REFERENCES policies(id) ON DELETE SET NULL,
  scheduled_for INTEGER,
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER,
  outcome       TEXT NOT NULL CHECK (outcome IN (${RUN_OUTCOMES_V7})),
  resources     TEXT NOT NULL DEFAULT '[]',
  notifications TEXT NOT NULL DEFAULT '[]',
  CHECK ((outcome = 'running') = (ended_at IS NULL))
) STRICT;
INSERT INTO task_runs_v7 (${RUN_COLUMNS}) SELECT ${RUN_COLUMNS} FROM task_runs ORDER BY rowid;
DROP TABLE task_runs;
ALTER TABLE task_runs_v7 RENAME TO task_runs;
CREATE INDEX task_runs_by_task ON task_runs(task_id, started_at);
`;
