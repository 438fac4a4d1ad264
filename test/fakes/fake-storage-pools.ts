import { VirtpointError } from '../../src/core/errors.js';
import type { PoolInfo, StoragePools, VolumeSpec } from '../../src/ports/storage-pools.js';
import type { FakeFs, FakeImageTool } from './fake-host.js';

/**
 * Libvirt storage pools in memory: each pool is a directory of the FakeFs; a created volume is
 * an empty image of the FakeImageTool there. Any call can be made to fail (`failNext`).
 */
export class FakeStoragePools implements StoragePools {
  /** Pool name → directory. */
  readonly pools = new Map<string, string>();
  /** Volume path → pool name (what libvirt knows; `refreshPool` adds files found in the dir). */
  readonly volumes = new Map<string, string>();
  readonly calls: { method: keyof StoragePools; args: unknown[] }[] = [];
  private readonly failures = new Map<keyof StoragePools, Error[]>();

  constructor(
    private readonly fs: FakeFs,
    private readonly images: FakeImageTool,
  ) {}

  addPool(name: string, dir: string) {
    this.pools.set(name, dir);
    void this.fs.mkdir(dir);
  }

  failNext(
    method: keyof StoragePools,
    error: Error = new VirtpointError('LIBVIRT_ERROR', `injected ${method} failure`),
  ) {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  private enter(method: keyof StoragePools, ...args: unknown[]) {
    this.calls.push({ method, args });
    const e = this.failures.get(method)?.shift();
    if (e) throw e;
  }

  private dir(pool: string): string {
    const d = this.pools.get(pool);
    if (d === undefined)
      throw new VirtpointError('POOL_NOT_FOUND', `no storage pool with matching name '${pool}'`);
    return d;
  }

  async lookupPool(name: string): Promise<PoolInfo> {
    this.enter('lookupPool', name);
    this.dir(name);
    return { name };
  }

  async refreshPool(name: string) {
    this.enter('refreshPool', name);
    const dir = this.dir(name);
    for (const p of [...this.volumes.keys()])
      if (this.volumes.get(p) === name && !this.fs.files.has(p)) this.volumes.delete(p);
    for (const n of await this.fs.listDir(dir))
      if (this.fs.files.has(`${dir}/${n}`)) this.volumes.set(`${dir}/${n}`, name);
  }

  async createVolume(pool: string, volume: VolumeSpec): Promise<string> {
    this.enter('createVolume', pool, volume);
    const path = `${this.dir(pool)}/${volume.name}`;
    if (this.volumes.has(path) || this.fs.files.has(path)) {
      throw new VirtpointError('ALREADY_EXISTS', `storage volume '${volume.name}' exists already`);
    }
    await this.images.create(path, { format: volume.format, size: volume.capacity });
    this.volumes.set(path, pool);
    return path;
  }

  async deleteVolume(path: string) {
    this.enter('deleteVolume', path);
    if (!this.volumes.has(path))
      throw new VirtpointError('VOLUME_NOT_FOUND', `no storage vol with matching path '${path}'`);
    this.volumes.delete(path);
    this.images.images.delete(path);
    this.fs.files.delete(path);
  }
}
