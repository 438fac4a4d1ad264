/** The copy tests' store: a chain of three points with bytes of their own, a target, the service. */

import { randomBytes } from 'node:crypto';

import { VirtpointError } from '../../../../src/core/errors.js';
import type { FileSource } from '../../../../src/ports/file-source.js';
import { CopyService } from '../../../../src/service/copies/copy.js';
import type { FakeFs } from '../../../fakes/fake-host.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { FakeTarget } from '../../../helpers/fake-target.js';
import { seededBytes, sha256 } from '../../../helpers/seeded.js';
import { storeWithPoints } from '../recovery/_recovery.js';

export const PART = 1000;

/** FileSource over the FakeFs (bytes kept as latin1 text). */
export class FakeSource implements FileSource {
  reads: string[] = [];
  constructor(private readonly fs: FakeFs) {}
  async *chunks(path: string, offset: number, chunkSize: number): AsyncIterable<Buffer> {
    this.reads.push(`${path}@${offset}`);
    const f = this.fs.files.get(path);
    if (f === undefined) throw new VirtpointError('NOT_FOUND', `no ${path}`);
    const b = Buffer.from(f.data ?? '', 'latin1');
    for (let i = offset; i < b.length; i += chunkSize) yield b.subarray(i, i + chunkSize);
  }
}

/** `frameSize`: the service's encrypted frames (the default 4 MiB frame holds a whole test file). */
export async function setup(encrypted: boolean, opts: { frameSize?: number } = {}) {
  const s = await storeWithPoints();
  // Give every point file bytes of its own: 2.5 parts for the full, small for incrementals.
  const data = new Map<string, Buffer>();
  for (const [path, f] of s.fs.files) {
    const m = /\/(vd[ab])\.(\d+)\.qcow2$/.exec(path);
    if (m === null) continue;
    const b = seededBytes(path, m[2] === '0' ? 2 * PART + 500 : 300);
    f.data = b.toString('latin1');
    f.size = b.length;
    f.mtimeMs = 1_700_000_000_123.25;
    f.ino = 4242 + data.size;
    data.set(path, b);
  }
  // The manifests record the new bytes (as the backup would have).
  for (const [path, f] of s.fs.files) {
    if (!path.endsWith('.manifest.json')) continue;
    const m = JSON.parse(f.data ?? '') as {
      files: { name: string; fileSize: number | null; sha256: string | null }[];
    };
    for (const x of m.files) {
      const b = data.get(`${path.slice(0, path.lastIndexOf('/'))}/${x.name}`)!;
      x.fileSize = b.length;
      x.sha256 = sha256(b);
    }
    f.data = JSON.stringify(m);
    f.size = f.data.length;
  }
  const key = encrypted ? randomBytes(32) : null;
  s.catalog.copies.addTarget({
    name: 'off',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: encrypted ? 'k' : null,
    bwlimit: null,
    retention: 'forever',
  });
  const target = s.catalog.copies.requireTarget('off');
  const store = new FakeTarget();
  const files = new FakeSource(s.fs);
  const { log, records } = recordingLogger();
  /** A service on this store and target (another one: as after a daemon restart). */
  const service = (frameSize = opts.frameSize, targetKey = key) =>
    new CopyService({
      catalog: s.catalog,
      fs: s.fs,
      files,
      stores: { open: () => Promise.resolve(store), encryptionKey: () => Promise.resolve(targetKey) },
      random: randomBytes,
      log,
      storeRoot: '/store',
      hostName: 'h1',
      partSize: PART,
      ...(frameSize !== undefined && { frameSize }),
    });
  return { ...s, key, target, store, files, svc: service(), service, data, records };
}
