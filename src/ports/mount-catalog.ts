/**
 * The mounts of points the catalog tracks (migration-v10.ts): each row is all the daemon needs
 * to undo its mount or NBD export after a crash.
 */

import type { FilesystemType } from '../core/partitions.js';

export type MountKind = 'mount' | 'nbd';
export type MountState = 'mounting' | 'active' | 'unmounting';

export interface MountRecord {
  readonly id: string;
  readonly pointId: string;
  readonly disk: string;
  readonly kind: MountKind;
  readonly state: MountState;
  readonly partition: number | null;
  readonly fsType: FilesystemType | null;
  readonly workDir: string;
  readonly fuseFile: string | null;
  readonly socket: string | null;
  readonly qsdPid: number | null;
  readonly qsdStartTime: number | null;
  readonly loopDevice: string | null;
  readonly dir: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number;
}

export type NewMount = Pick<MountRecord, 'id' | 'pointId' | 'disk' | 'kind' | 'workDir' | 'dir' | 'socket'>;

export type MountPatch = Partial<
  Pick<MountRecord, 'state' | 'partition' | 'fsType' | 'fuseFile' | 'qsdPid' | 'qsdStartTime' | 'loopDevice'>
>;

export interface MountCatalog {
  /** Records a mount in state `mounting`; ALREADY_EXISTS when its dir or socket is taken. */
  create(m: NewMount): MountRecord;
  /** Records what was set up so far (each step is recorded before the next starts). */
  update(id: string, patch: MountPatch): MountRecord;
  touch(id: string): void;
  get(id: string): MountRecord | null;
  list(filter?: { pointId?: string }): MountRecord[];
  remove(id: string): void;
}
