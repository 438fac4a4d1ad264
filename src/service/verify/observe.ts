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
  // The checksum (a read, hashed here) and the two qemu-img runs (their own processes) at once.
  const image = async (): Promise<{ backing?: string | null; imageError: string | null }> => {
    if (want.format !== 'qcow2') return { imageError: null };
    const [info, check] = await Promise.all([
      imageTool.info(path).then(
        (i) => ({ backing: i.backingFile, error: null }),
        (e: unknown) => ({ backing: undefined, error: e instanceof Error ? e.message : String(e) }),
      ),
      imageTool.check(path, want.format),
    ]);
    return {
      ...(info.backing !== undefined ? { backing: info.backing } : {}),
      imageError: info.error ?? check,
    };
  };
  const [sum, { backing, imageError }] = await Promise.all([fs.checksumFile(path, signal), image()]);
  return {
    exists: true,
    fileSize: sum.size,
    sha256: sum.sha256,
    ...(backing !== undefined ? { backing } : {}),
    imageError,
  };
}
