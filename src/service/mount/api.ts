/**
 * The mount feature's API (docs/restore.md "Mount a point"): mounts and NBD exports are quick
 * and answered directly (no job): the answer is the mount, ready to read.
 */

import { iso } from '../../core/iso.js';
import type { ExportInput, MountInput, MountView, PartitionsView } from '../../contract/index.js';
import { choosePartition } from '../../core/partitions.js';
import type { MountRecord } from '../../ports/mount-catalog.js';
import type { MountService } from './mounts.js';

export interface MountApi {
  mount(input: MountInput): Promise<MountView>;
  export(input: ExportInput): Promise<MountView>;
  /** `which`: the mount directory, the socket or the mount id. */
  unmount(which: string): Promise<MountView>;
  list(): Promise<MountView[]>;
  partitions(pointId: string, disk: string): Promise<PartitionsView>;
}

export function mountView(m: MountRecord, idleMinutes: number): MountView {
  return {
    id: m.id,
    kind: m.kind,
    pointId: m.pointId,
    disk: m.disk,
    dir: m.dir,
    socket: m.socket,
    partition: m.partition,
    fsType: m.fsType,
    loopDevice: m.loopDevice,
    qsdPid: m.qsdPid,
    createdAt: iso(m.createdAt),
    lastUsedAt: iso(m.lastUsedAt),
    idleUntil: iso(m.lastUsedAt + idleMinutes * 60_000),
  };
}

export class MountApiImpl implements MountApi {
  constructor(
    private readonly service: MountService,
    private readonly idleMinutes: number,
  ) {}

  async mount(input: MountInput): Promise<MountView> {
    const m = await this.service.mount({
      pointId: input.point,
      disk: input.disk,
      dir: input.dir,
      ...(input.partition === undefined ? {} : { partition: input.partition }),
    });
    return mountView(m, this.idleMinutes);
  }

  async export(input: ExportInput): Promise<MountView> {
    const m = await this.service.export({ pointId: input.point, disk: input.disk, socket: input.socket });
    return mountView(m, this.idleMinutes);
  }

  async unmount(which: string): Promise<MountView> {
    return mountView(await this.service.unmount(which), this.idleMinutes);
  }

  list(): Promise<MountView[]> {
    return Promise.resolve(this.service.list().map((m) => mountView(m, this.idleMinutes)));
  }

  async partitions(pointId: string, disk: string): Promise<PartitionsView> {
    const { layout, fs } = await this.service.partitions(pointId, disk);
    let chosen: number | null = null;
    try {
      chosen = choosePartition(layout).number;
    } catch {
      chosen = null;
    }
    return {
      pointId,
      disk,
      table: layout.table,
      partitions: layout.partitions.map((p) => ({
        ...p,
        filesystem: (fs.get(p.number) ?? null) as 'ext4' | 'xfs' | null,
      })),
      default: chosen,
    };
  }
}
