import type { VirtpointError } from '../../src/core/errors.js';
import type { OfflineBackup, OfflineBackupSpec } from '../../src/ports/offline-backup.js';
import type { FakeImageTool } from './fake-host.js';

/** A fake offline engine: records each spec, applies the bitmap changes to the fake image, may fail once. */
export class FakeOffline implements OfflineBackup {
  readonly runs: OfflineBackupSpec[] = [];
  fail: VirtpointError | null = null;
  constructor(private readonly images: FakeImageTool) {}
  async run(spec: OfflineBackupSpec) {
    this.runs.push(spec);
    if (this.fail) {
      const e = this.fail;
      this.fail = null;
      throw e;
    }
    const img = this.images.images.get(spec.source)!;
    img.bitmaps = img.bitmaps.filter((b) => !(spec.removeBitmaps ?? []).includes(b.name));
    if (spec.newBitmap) img.bitmaps.push({ name: spec.newBitmap, flags: ['auto'] });
  }
  async stopLeftovers() {
    return [];
  }
}
