/**
 * The ImageTool port: disk image files (qcow2/raw) on the host. Implemented with qemu-img
 * (src/adapters/qemu-img/) and by a fake for unit tests.
 */

export interface ImageInfo {
  readonly format: string;
  readonly virtualSize: number;
  /** Bytes allocated on the host filesystem. */
  readonly actualSize: number;
  /** Backing file as written in the image (may be relative), or null. */
  readonly backingFile: string | null;
  /** Persistent dirty bitmaps stored in a qcow2 image, with their flags (`auto`, `in-use`). */
  readonly bitmaps: readonly { readonly name: string; readonly flags: readonly string[] }[];
  /** qcow2 compat level (`1.1`: v3, bitmaps possible; `0.10`: v2); absent/null: not qcow2 or unknown. */
  readonly compat?: string | null;
}

export interface CreateImageOptions {
  readonly format: 'qcow2' | 'raw';
  /** Virtual size in bytes. */
  readonly size: number;
  /** Backing file path, written as given (relative paths resolve against the new file's directory). */
  readonly backingFile?: string;
  readonly backingFormat?: 'qcow2' | 'raw';
  /**
   * qcow2 only: `metadata` writes all metadata clusters at creation (a full backup's target: the
   * copy then needs no metadata allocation and far fewer flushes). Default off.
   */
  readonly preallocation?: 'off' | 'metadata';
}

export interface ConvertOptions {
  readonly format: 'qcow2' | 'raw';
  /** Write into the existing `target` instead of creating it (qemu-img convert `-n`). */
  readonly targetExists?: boolean;
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
}

export interface ImageTool {
  create(path: string, opts: CreateImageOptions): Promise<void>;
  /** Reads an image even while QEMU holds it open (shared, read-only). */
  info(path: string): Promise<ImageInfo>;
  /**
   * Flattened copy of an image with its whole backing chain into a new file, or with
   * `targetExists` into an existing image (qemu-img `-n`: e.g. a volume libvirt pre-created; it
   * must be at least as large as the source). NO_SPACE when the target filesystem fills up.
   */
  convert(source: string, target: string, opts: ConvertOptions): Promise<void>;
  /**
   * `qemu-img check` of a qcow2 image (shared, read-only): null when it is consistent (leaked
   * clusters are not errors), else what qemu-img found or why it could not check. Raw images
   * have no metadata to check: null.
   */
  check(path: string, format: 'qcow2' | 'raw'): Promise<string | null>;
  /**
   * Reads every allocated cluster of the image through its whole backing chain, discarding the
   * data (deep verify): null when all of it could be read, else qemu-img's error.
   */
  readAll(
    path: string,
    format: 'qcow2' | 'raw',
    virtualSize: number,
    signal?: AbortSignal,
  ): Promise<string | null>;
  /** Removes a persistent dirty bitmap from a qcow2 image no QEMU has open (qemu-img bitmap --remove). */
  removeBitmap(path: string, name: string): Promise<void>;
  /** Grows (or shrinks) the virtual size of an image to `size` bytes. */
  resize(path: string, size: number, format?: 'qcow2' | 'raw'): Promise<void>;
  /** Change the backing file of `path` (`null`: none), copying data so content stays the same. */
  rebase(path: string, backingFile: string | null, backingFormat?: 'qcow2' | 'raw'): Promise<void>;
}
