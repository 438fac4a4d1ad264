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

export async function estimateBytes(
  deps: SpaceDeps,
  uuid: string,
  disks: readonly DiskInfo[],
  decision: ChainDecision,
  running: boolean,
): Promise<{ bytes: number; basis: string }> {
  if (decision.kind === 'full') {
    let bytes = 0;
    for (const d of disks) bytes += d.sourcePath ? (await deps.imageTool.info(d.sourcePath)).actualSize : 0;
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

export async function checkSpace(
  deps: SpaceDeps,
  uuid: string,
  disks: readonly DiskInfo[],
  decision: ChainDecision,
  running: boolean,
): Promise<void> {
  const { fs } = deps;
  await fs.mkdir(deps.storeRoot, STORE_DIR_MODE);
  const estimate = await estimateBytes(deps, uuid, disks, decision, running);
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
