import { VirtpointError } from '../../core/errors.js';
import type { ConvertOptions, CreateImageOptions, ImageInfo, ImageTool } from '../../ports/image-tool.js';
import { runCommand, type RunOptions, type RunResult } from '../process/run-command.js';

/** ImageTool on `qemu-img` (argv arrays through the one process runner). */

interface QemuImgInfoJson {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'backing-filename'?: string;
  'format-specific'?: {
    type: string;
    data?: { bitmaps?: { name: string; flags: string[] }[]; compat?: string };
  };
}

export interface QemuImgOptions {
  readonly binary?: string;
  /** Timeout of metadata commands (create, info), ms. Copies (convert, rebase) have none. */
  readonly timeoutMs?: number;
  /** The process runner (default: the one runner); unit tests pass a recorder to see the argv. */
  readonly runner?: (argv: readonly string[], opts?: RunOptions) => Promise<RunResult>;
}

export class QemuImg implements ImageTool {
  private readonly bin: string;
  private readonly timeoutMs: number;
  private readonly runner: NonNullable<QemuImgOptions['runner']>;

  constructor(opts: QemuImgOptions = {}) {
    this.bin = opts.binary ?? 'qemu-img';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.runner = opts.runner ?? runCommand;
  }

  async create(path: string, opts: CreateImageOptions): Promise<void> {
    const argv = [this.bin, 'create', '-q', '-f', opts.format];
    if (opts.backingFile !== undefined) {
      argv.push('-b', opts.backingFile, '-F', opts.backingFormat ?? 'qcow2');
    }
    // metadata: every L2/refcount cluster written now, so the copy allocates no metadata and
    // QEMU flushes the new file once instead of at every metadata growth (issue 16)
    if (opts.preallocation === 'metadata' && opts.format === 'qcow2') {
      argv.push('-o', 'preallocation=metadata');
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
      compat: json['format-specific']?.data?.compat ?? null,
    };
  }

  async check(path: string, format: 'qcow2' | 'raw'): Promise<string | null> {
    if (format === 'raw') return null;
    // 0 consistent, 2 corruptions, 3 leaks only, 1 could not check (unreadable, not qcow2)
    const argv = [this.bin, 'check', '-U', '--output=json', '-f', format, path];
    const res = await this.runner(argv, { timeoutMs: this.timeoutMs, okCodes: [0, 1, 2, 3] });
    if (res.code === 0 || res.code === 3) return null;
    return checkMessage(res.code, res.stdout.toString('utf8'), res.stderr);
  }

  async readAll(
    path: string,
    format: 'qcow2' | 'raw',
    virtualSize: number,
    signal?: AbortSignal,
  ): Promise<string | null> {
    // convert into QEMU's null driver: reads every allocated cluster of the chain, writes nothing
    const argv = [this.bin, 'convert', '-U', '-n', '-f', format, path, '--target-image-opts'];
    argv.push(`driver=null-co,size=${Math.max(virtualSize, 1)}`);
    const res = await this.runner(argv, { okCodes: [0, 1], ...(signal ? { signal } : {}) });
    return res.code === 0 ? null : firstLines(res.stderr) || `qemu-img convert exited with ${res.code}`;
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
      return await this.runner(argv, { ...(timeoutMs ? { timeoutMs } : {}), ...(signal ? { signal } : {}) });
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

function firstLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, n)
    .join('; ');
}

/** What a failed `qemu-img check` says: its counts (JSON on stdout) and its first messages. */
function checkMessage(code: number, stdout: string, stderr: string): string {
  let counts = '';
  try {
    const j = JSON.parse(stdout) as { corruptions?: number; 'check-errors'?: number };
    const parts = [];
    if ((j.corruptions ?? 0) > 0) parts.push(`${j.corruptions} corruptions`);
    if ((j['check-errors'] ?? 0) > 0) parts.push(`${j['check-errors']} check errors`);
    counts = parts.join(', ');
  } catch {
    // code 1 prints no JSON: stderr says why
  }
  const why = firstLines(stderr);
  const text = [counts, why].filter((x) => x !== '').join(': ');
  return text || `qemu-img check exited with ${code}`;
}
