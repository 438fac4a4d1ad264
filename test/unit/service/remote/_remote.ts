/** Shared setup for the remote tests: a catalog with targets, a FakeTarget seeded as a copy job writes it. */

import { createHash, randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { encryptBuffer, keyId } from '../../../../src/core/encryption.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type PointManifest } from '../../../../src/core/manifest.js';
import { remoteFileKey, remoteManifestKey } from '../../../../src/core/remote-layout.js';
import type { FileSink } from '../../../../src/ports/file-sink.js';
import type { SecretFiles } from '../../../../src/ports/secret-files.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import type { TargetStoreFactory } from '../../../../src/ports/target.js';
import { SECRET } from '../../../../src/service/copies/targets.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeTarget } from '../../../helpers/fake-target.js';
import { seededBytes } from '../../../helpers/seeded.js';

export const STORE = '/store';
export const HOST = 'a1b2c3d4e5f6';
export const OTHER_HOST = 'f6e5d4c3b2a1';
export const DOMAIN = '11111111-2222-4333-8444-555555555555';
export const XML = `<domain type='kvm'>
  <name>db1</name>
  <uuid>${DOMAIN}</uuid>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/vm/db1-vda.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/vm/db1-vdb.qcow2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>
  </devices>
</domain>
`;

class KeptSecrets implements SecretFiles {
  readonly kept = new Map<string, Buffer>();
  stat(): never {
    throw new Error('unused');
  }
  read(): never {
    throw new Error('unused');
  }
  async keep(id: string, name: string, bytes: Buffer) {
    this.kept.set(`${id}/${name}`, bytes);
  }
  async load(id: string, name: string) {
    const b = this.kept.get(`${id}/${name}`);
    if (b === undefined) throw new VirtpointError('NOT_FOUND', `no ${name}`);
    return b;
  }
  async forget() {}
}

/** Writes into the FakeFs (bytes as latin1 text) and makes each file an image the fake tool can convert. */
export class FakeSink implements FileSink {
  readonly writes: string[] = [];
  constructor(
    private readonly fs: FakeFs,
    private readonly images: FakeImageTool,
  ) {}
  async writeNew(path: string, source: AsyncIterable<Uint8Array>, mode: number): Promise<number> {
    if (this.fs.files.has(path)) throw new VirtpointError('ALREADY_EXISTS', `${path} exists`);
    if (!this.fs.dirs.has(dirname(path)))
      throw new VirtpointError('IO_ERROR', `no directory ${dirname(path)}`);
    this.writes.push(path);
    const chunks: Buffer[] = [];
    this.fs.files.set(path, { mode, data: '' });
    try {
      for await (const c of source) chunks.push(Buffer.from(c));
    } catch (e) {
      this.fs.files.delete(path);
      throw e;
    }
    const body = Buffer.concat(chunks);
    this.fs.files.set(path, { mode, data: body.toString('latin1'), size: body.length });
    this.images.images.set(path, {
      opts: { format: 'qcow2', size: 1 << 30 },
      actualSize: body.length,
      bitmaps: [],
    });
    return body.length;
  }
}

export interface SeedPoint {
  readonly id: string;
  readonly chain: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly host?: string;
  readonly domain?: string;
  /** A detached volume's point: its manifest's `resource`. */
  readonly resource?: PointManifest['resource'];
}

export function setup() {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const secrets = new KeptSecrets();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const sink = new FakeSink(fs, images);
  const clock = new FakeClock();
  const stores = new Map<string, FakeTarget>();
  const factory: TargetStoreFactory = {
    async open(id: string) {
      const s = stores.get(id);
      if (s === undefined) throw new VirtpointError('TARGET_UNREACHABLE', `no fake store ${id}`);
      s.closed = false;
      return s;
    },
  };
  const key = randomBytes(32);
  /** A target in the catalog with its fake store (encrypted when `encrypted`). */
  const addTarget = async (name: string, encrypted: boolean, retention = 'forever') => {
    const t = catalog.copies.addTarget({
      name,
      config: {
        kind: 's3',
        endpoint: 'http://127.0.0.1:7480',
        bucket: 'vp',
        prefix: '',
        region: 'us-east-1',
        accessKeyId: 'AK',
      },
      keyId: encrypted ? keyId(key) : null,
      bwlimit: null,
      retention,
    });
    if (encrypted) await secrets.keep(t.id, SECRET.encryptKey, key);
    const store = new FakeTarget();
    stores.set(t.id, store);
    return { target: t, store };
  };
  void fs.mkdir(STORE);
  const deps = {
    catalog,
    secrets,
    stores: factory,
    fs,
    sink,
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
    clock,
  };
  return { catalog, secrets, fs, images, sink, clock, key, addTarget, deps };
}

export const fileBytes = (p: SeedPoint, disk: string) => seededBytes(`${p.id}-${disk}`, 3000 + p.seq * 10);

/** Uploads a point as the copy job does: its files, then its manifest (encrypted with `key` when given). */
export async function seed(
  store: FakeTarget,
  points: readonly SeedPoint[],
  key: Uint8Array | null,
  xml: string | null = XML,
) {
  const enc = key !== null;
  const seal = (b: Buffer) => (key === null ? b : encryptBuffer(key, b, randomBytes));
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const p of points) {
    const host = p.host ?? HOST;
    const domain = p.domain ?? DOMAIN;
    const parent = points.find(
      (q) => q.chain === p.chain && q.seq === p.seq - 1 && (q.host ?? HOST) === host,
    );
    const files = ['vda', 'vdb'].map((disk) => {
      const body = fileBytes(p, disk);
      store.objects.set(remoteFileKey(host, domain, p.chain, disk, p.seq, enc), {
        body: seal(body),
        modifiedAt: p.createdAt,
      });
      return {
        disk,
        name: `${disk}.${p.seq}.qcow2`,
        format: 'qcow2' as const,
        virtualSize: 1 << 30,
        size: body.length,
        backingFile: p.seq === 0 ? null : `${disk}.${p.seq - 1}.qcow2`,
        checkpoint: null,
        sha256: createHash('sha256').update(body).digest('hex'),
        fileSize: body.length,
      };
    });
    const m: PointManifest & { host: { id: string; name: string } } = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      writtenAt: p.createdAt,
      domain: { uuid: domain, name: 'db1', xml },
      ...(p.resource === undefined ? {} : { resource: p.resource }),
      chain: { id: p.chain, diskSet: ['vda', 'vdb'], maxLength: 30, createdAt: p.createdAt },
      point: {
        id: p.id,
        name: `p${p.seq}`,
        seq: p.seq,
        kind: p.seq === 0 ? 'full' : 'incremental',
        parentId: p.seq === 0 ? null : (parent?.id ?? byId.get(p.id)!.id),
        owner: 'manual',
        trigger: 'manual',
        consistency: 'filesystem',
        consistencyReason: null,
        freezeMs: 5,
        newChainReason: null,
        createdAt: p.createdAt,
      },
      files,
      host: { id: host, name: host === HOST ? 'kvm1' : 'kvm2' },
    };
    store.objects.set(remoteManifestKey(host, domain, p.chain, p.id, enc), {
      body: seal(Buffer.from(JSON.stringify(m))),
      modifiedAt: p.createdAt,
    });
  }
}

export const CHAIN = 'c0c0c0c0c0c0';
export const P0: SeedPoint = { id: 'a00000000000', chain: CHAIN, seq: 0, createdAt: 1_700_000_000_000 };
export const P1: SeedPoint = { id: 'a00000000001', chain: CHAIN, seq: 1, createdAt: 1_700_000_100_000 };
export const P2: SeedPoint = { id: 'a00000000002', chain: CHAIN, seq: 2, createdAt: 1_700_000_200_000 };
