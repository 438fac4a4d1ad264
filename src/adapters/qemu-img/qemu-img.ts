import { VirtpointError } from '../../core/errors.js';
import type { ConvertOptions, CreateImageOptions, ImageInfo, ImageTool } from '../../ports/image-tool.js';
import { runCommand } from '../process/run-command.js';

/** ImageTool on `qemu-img` (argv arrays through the one process runner). */

interface QemuImgInfoJson {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'backing-filename'?: string;
  'format-specific'?: { type: string; data?: { bitmaps?: { name: string; flags: string[] }[] } };
}

export interface QemuImgOptions {
  readonly binary?: string;
  /** Timeout of metadata commands (create, info), ms. Copies (convert, rebase) have none. */
  readonly timeoutMs?: number;
}

export class QemuImg implements ImageTool {
  private readonly bin: string;
  private readonly timeoutMs: number;

  constructor(opts: QemuImgOptions = {}) {
    this.bin = opts.binary ?? 'qemu-img';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async create(path: string, opts: CreateImageOptions): Promise<void> {
    const argv = [this.bin, 'create', '-q', '-f', opts.format];
    if (opts.backingFile !== undefined) {
      argv.push('-b', opts.backingFile, '-F', opts.backingFormat ?? 'qcow2');
    }
    argv.push(path, String(opts.size));
    await this.run(argv, this.timeoutMs);
  }

  async info(path: string): Promise<ImageInfo> {
    const res = await this.run([this.bin, 'info', '-U', '--output=json', path], this.timeoutMs);
    let json: QemuImgInfoJson;
    try {
      json = JSON.parse(res.stdout.toString('utf8')) as QemuImgInfoJson;
    } catch (e) {
      throw new VirtpointError('COMMAND_FAILED', `qemu-img info ${path}: unreadable output`, { cause: e });
    }
    return {
      format: json.format,
      virtualSize: json['virtual-size'],
      actualSize: json['actual-size'] ?? 0,
      backingFile: json['backing-filename'] ?? null,
      bitmaps: (json['format-specific']?.data?.bitmaps ?? []).map((b) => ({ name: b.name, flags: b.flags })),
    };
  }

  async removeBitmap(path: string, name: string): Promise<void> {
    await this.run([this.bin, 'bitmap', '--remove', path, name], this.timeoutMs);
  }

  async convert(source: string, target: string, opts: ConvertOptions): Promise<void> {
    const argv = [this.bin, 'convert', '-U', ...(opts.targetExists ? ['-n'] : []), '-O', opts.format, '-W'];
    argv.push(source, target);
    await this.run(argv, undefined, opts.signal);
    opts.onProgress?.(100);
  }

  async resize(path: string, size: number, format?: 'qcow2' | 'raw'): Promise<void> {
    const argv = [this.bin, 'resize', '-q', ...(format ? ['-f', format] : []), path, String(size)];
    await this.run(argv, this.timeoutMs);
  }

  async rebase(
    path: string,
    backingFile: string | null,
    backingFormat: 'qcow2' | 'raw' = 'qcow2',
  ): Promise<void> {
    const argv =
      backingFile === null
        ? [this.bin, 'rebase', '-q', '-b', '', path]
        : [this.bin, 'rebase', '-q', '-b', backingFile, '-F', backingFormat, path];
    await this.run(argv, undefined);
  }

  private async run(argv: string[], timeoutMs: number | undefined, signal?: AbortSignal) {
    try {
      return await runCommand(argv, { ...(timeoutMs ? { timeoutMs } : {}), ...(signal ? { signal } : {}) });
    } catch (e) {
      if (e instanceof VirtpointError && /No space left on device/i.test(e.message)) {
        throw new VirtpointError(
          'NO_SPACE',
          `no space left writing ${argv.at(-1)}: free space on its filesystem`,
          {
            cause: e,
          },
        );
      }
      throw e;
    }
  }
}
