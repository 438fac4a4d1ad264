import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import { CatalogBackups, safeCheckpoint } from '../../../../src/service/recovery/catalog-backups.js';
import { FakeFs } from '../../../fakes/fake-host.js';

const DAY = 86_400_000;

test('one copy a day, named by UTC date, 0700 directory; the newest 7 kept; foreign files stay', async (t) => {
  const fs = new FakeFs();
  const made: string[] = [];
  let checkpoints = 0;
  let now = Date.UTC(2026, 0, 1, 12);
  const backups = new CatalogBackups({
    catalog: {
      checkpoint: () => void checkpoints++,
      recovery: {
        isEmpty: () => true,
        importChains: () => undefined,
        backupTo: async (path) => {
          made.push(path);
          fs.files.set(path, { mode: 0o600 });
        },
      },
    },
    fs,
    log: silentLogger,
    dir: '/state/catalog-backups',
    now: () => now,
  });
  fs.files.set('/state/catalog-backups/notes.txt', { mode: 0o600 });
  t.is(await backups.runIfDue(), 'catalog-2026-01-01.db');
  t.is(await backups.runIfDue(), null, 'once a day');
  for (let i = 1; i < 10; i++) {
    now += DAY;
    await backups.runIfDue();
  }
  t.is(made.length, 10);
  t.is(checkpoints, 11, 'a checkpoint on every run');
  t.deepEqual(
    await backups.list(),
    [4, 5, 6, 7, 8, 9, 10].map((d) => `catalog-2026-01-${String(d).padStart(2, '0')}.db`),
  );
  t.true(fs.files.has('/state/catalog-backups/notes.txt'));
});

test('a failing checkpoint is logged, not thrown', (t) => {
  t.notThrows(() =>
    safeCheckpoint(
      {
        checkpoint: () => {
          throw new Error('busy');
        },
      },
      silentLogger,
    ),
  );
});
