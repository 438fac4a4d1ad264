/** What is on disk for one expected file: existence, length, sha256, backing file, qemu-img check. */

import { resolveStorePath } from '../../core/store-layout.js';
import type { ExpectedFile, ObservedFile } from '../../core/verify.js';
import type { Fs } from '../../ports/fs.js';
import type { ImageTool } from '../../ports/image-tool.js';

export async function observeFile(
  deps: { readonly fs: Fs; readonly imageTool: ImageTool; readonly storeRoot: string },
  want: ExpectedFile,
  signal?: AbortSignal,
): Promise<ObservedFile> {
  const { fs, imageTool } = deps;
  const path = resolveStorePath(deps.storeRoot, want.path);
  if (!(await fs.exists(path))) return { exists: false };
  const sum = await fs.checksumFile(path, signal);
  let backing: string | null | undefined;
  let imageError: string | null = null;
  if (want.format === 'qcow2') {
    try {
      backing = (await imageTool.info(path)).backingFile;
    } catch (e) {
      imageError = e instanceof Error ? e.message : String(e);
    }
    imageError ??= await imageTool.check(path, want.format);
  }
  return {
    exists: true,
    fileSize: sum.size,
    sha256: sum.sha256,
    ...(backing !== undefined ? { backing } : {}),
    imageError,
  };
}
