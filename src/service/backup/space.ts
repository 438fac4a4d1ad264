import { VirtpointError } from '../../core/errors.js';
import type { ChainDecision } from '../../core/chain-decision.js';
import { STORE_DIR_MODE } from '../../core/store-layout.js';
import type { Fs } from '../../ports/fs.js';
import type { DiskInfo, Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';

/**
 * Free space in the store, checked before anything is written (no point, no seq, no file when
 * it does not fit): a full copy needs the disks' allocation; an incremental the bytes changed
 * since its parent checkpoint (libvirt's checkpoint size, known while the domain runs; a shut-off
 * domain's is not, then only the margin is checked). Both plus a margin (default 64 MiB). A store
 * that fills up anyway during the copy fails the job as NO_SPACE (follow.ts).
 */

export interface SpaceDeps {
  readonly hypervisor: Hypervisor;
  readonly imageTool: ImageTool;
  readonly fs: Fs;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly spaceMarginBytes?: number;
}

/** Bytes each disk's source takes on the host (target → bytes), one stat per disk. */
export async function sourceAllocation(
  deps: { readonly fs: Fs; readonly imageTool: ImageTool },
  disks: readonly DiskInfo[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const d of disks) out.set(d.target, d.sourcePath ? await allocatedBytes(deps, d.sourcePath) : 0);
  return out;
}

/**
 * Whether a full backup's target gets `preallocation=metadata`: it saves QEMU's flushes while
 * the copy grows the qcow2 metadata, but makes the file as long as the disk (sparse), and the
 * point's checksum reads every byte of it, holes included. So only when the disk is at least
 * half allocated: then the holes hashed are at most the data copied (docs/backup-engine.md
 * "Performance").
 */
export function preallocateFull(allocated: number | undefined, capacity: number): boolean {
  return allocated !== undefined && capacity > 0 && allocated * 2 >= capacity;
}

export async function estimateBytes(
  deps: SpaceDeps,
  uuid: string,
  disks: readonly DiskInfo[],
  decision: ChainDecision,
  running: boolean,
  allocation?: ReadonlyMap<string, number>,
): Promise<{ bytes: number; basis: string }> {
  if (decision.kind === 'full') {
    const known = allocation ?? (await sourceAllocation(deps, disks));
    const bytes = disks.reduce((sum, d) => sum + (known.get(d.target) ?? 0), 0);
    return { bytes, basis: 'the disks\u2019 allocation' };
  }
  if (!running) return { bytes: 0, basis: 'unknown changes (domain shut off)' };
  try {
    const dirty = await deps.hypervisor.checkpointDirtyBytes(uuid, decision.parentCheckpoint);
    const bytes = disks.reduce((sum, d) => sum + (dirty[d.target] ?? 0), 0);
    return { bytes, basis: `the bytes changed since checkpoint ${decision.parentCheckpoint}` };
  } catch (e) {
    deps.log.warn({ uuid, err: String(e) }, 'could not read the checkpoint size; checking the margin only');
    return { bytes: 0, basis: 'unknown changes' };
  }
}

/**
 * Bytes a file takes on its filesystem: st_blocks × 512 from a stat (what `qemu-img info` reports
 * as actual-size for a file, without a process spawn), `qemu-img info` when the Fs cannot tell.
 */
export async function allocatedBytes(
  deps: { readonly fs: Fs; readonly imageTool: ImageTool },
  path: string,
): Promise<number> {
  const st = await deps.fs.stat(path);
  return st.allocated ?? (await deps.imageTool.info(path)).actualSize;
}

export async function checkSpace(
  deps: SpaceDeps,
  uuid: string,
  disks: readonly DiskInfo[],
  decision: ChainDecision,
  running: boolean,
  allocation?: ReadonlyMap<string, number>,
): Promise<void> {
  const { fs } = deps;
  await fs.mkdir(deps.storeRoot, STORE_DIR_MODE);
  const estimate = await estimateBytes(deps, uuid, disks, decision, running, allocation);
  const need = estimate.bytes + (deps.spaceMarginBytes ?? 64 * 1024 * 1024);
  const free = await fs.freeBytes(deps.storeRoot);
  if (free < need) {
    throw new VirtpointError(
      'NO_SPACE',
      `the store ${deps.storeRoot} has ${free} bytes free; this ${decision.kind} backup needs about ${need} (${estimate.basis} and a margin): free space or delete points`,
    );
  }
}

/** ENOSPC/EDQUOT text in a failed job's error (QEMU reports the target's write error). */
export function isNoSpaceMessage(message: string | null): boolean {
  return message !== null && /no space left on device|ENOSPC|disk quota exceeded|EDQUOT/i.test(message);
}
