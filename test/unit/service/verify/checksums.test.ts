import test from 'ava';
import { createHash } from 'node:crypto';

import { BackupService } from '../../../../src/service/backup/backup.js';
import { rewritingFiles } from '../../../../src/service/verify/checksums.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('a backup records the length and sha256 of each file it wrote, and the manifest carries them', async (t) => {
  const h = fakeBackupHost();
  const svc = new BackupService(h.deps);
  const p = await svc.backup({ domain: h.uuid });
  const d = p.disks[0]!;
  const file = h.fs.files.get(`/store/${d.path}`)!;
  t.is(d.sha256, sha(file.data ?? ''));
  t.is(d.fileSize, file.size ?? Buffer.byteLength(file.data ?? ''));
  t.true(h.fs.ops.includes(`checksum /store/${d.path}`));
  const manifest = [...h.fs.files.entries()].find(([k]) => k.endsWith('0.manifest.json'));
  t.truthy(manifest, 'the point manifest is written');
  t.regex(manifest![1].data ?? '', new RegExp(`"sha256": ?"${d.sha256}"`));
});

test('rewritingFiles: checksums are cleared while a file is rewritten and recorded anew after', async (t) => {
  const h = fakeBackupHost();
  const svc = new BackupService(h.deps);
  const p = await svc.backup({ domain: h.uuid });
  const path = `/store/${p.disks[0]!.path}`;
  const deps = { fs: h.fs, storeRoot: '/store', catalog: h.catalog };
  await rewritingFiles(deps, p, ['vda'], async () => {
    t.like(
      h.catalog.getPoint(p.id)?.disks[0],
      { sha256: null, fileSize: null },
      'cleared during the rewrite',
    );
    h.fs.files.get(path)!.data = 'rebased bytes';
  });
  t.is(h.catalog.getPoint(p.id)?.disks[0]?.sha256, sha('rebased bytes'));
  // a rewrite that fails halfway leaves "not recorded", never the old checksum
  await t.throwsAsync(
    rewritingFiles(deps, p, ['vda'], async () => {
      h.fs.files.get(path)!.data = 'half';
      throw new Error('rebase failed');
    }),
    { message: 'rebase failed' },
  );
  t.like(h.catalog.getPoint(p.id)?.disks[0], { sha256: null, fileSize: null });
});
