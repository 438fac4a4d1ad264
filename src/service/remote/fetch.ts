/**
 * Fetching a remote point (docs/copies.md, "Restore from a target"): the files of the point and
 * of its ancestors, in parallel, into a fresh temporary directory under the store,
 * `<store>/.remote-fetch-<id>/`, named as the manifests name them (`vda.0.qcow2`), so the
 * qcow2 backing names inside the files resolve there. Each file is decrypted as it streams
 * (core/encryption.ts) and its sha256 and length checked against the manifest before the file
 * is complete. Any failure — ENCRYPTION_KEY_MISMATCH, DATA_CORRUPT (a flipped byte),
 * DATA_TRUNCATED, REMOTE_NOT_FOUND (a missing object) — removes everything fetched and the
 * directory: nothing reaches a destination. `FetchedPoint.remove` removes it after use, and
 * `removeFetchLeftovers` at daemon start removes what a killed daemon left (only names this
 * module makes: the directory pattern and the manifests' file names inside it).
 */

import { createHash } from 'node:crypto';
import { join } from 'node:path';

import { FrameDecryptor } from '../../core/encryption.js';
import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import { eachLimit } from '../../core/settle.js';
import type { FileSink } from '../../ports/file-sink.js';
import type { Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { TargetStore } from '../../ports/target.js';
import type { NeededFile, PointNeeds } from './scan.js';

const FETCH_DIR_RE = /^\.remote-fetch-[0-9a-f]{12}$/;
const FILE_RE = /^[a-z][a-z0-9]{0,31}\.(0|[1-9][0-9]{0,8})\.qcow2$/;
const DEFAULT_CONCURRENCY = 4;

export interface FetchDeps {
  readonly fs: Fs;
  readonly sink: FileSink;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
}

export interface FetchedPoint {
  readonly dir: string;
  /** Disk → the local path of the point's own file (its backing files beside it). */
  readonly top: ReadonlyMap<string, string>;
  readonly bytes: number;
  remove(): Promise<void>;
}

export interface FetchOptions {
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { done: number; total: number | null }) => void;
}

/** The verified plaintext of a remote object, chunk by chunk; throws before a bad chunk is handed out. */
export async function* verifiedStream(
  store: TargetStore,
  f: NeededFile,
  encryptKey: Uint8Array | null,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  if (f.encrypted && encryptKey === null) {
    throw new VirtpointError(
      'ENCRYPTION_KEY_MISMATCH',
      `${f.key} is encrypted and this target has no key: add the target again with --encrypt-key-file`,
    );
  }
  const source = await store.openRead(f.key);
  const dec =
    f.encrypted && encryptKey !== null
      ? new FrameDecryptor(encryptKey, f.key, f.fileSize ?? undefined)
      : null;
  const hash = createHash('sha256');
  let size = 0;
  const out = function* (chunks: Buffer[]) {
    for (const c of chunks) {
      hash.update(c);
      size += c.length;
      yield c;
    }
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new VirtpointError('JOB_CANCELED', 'the fetch was canceled');
      yield* out(dec === null ? [Buffer.from(chunk)] : dec.push(chunk));
    }
    if (dec !== null) yield* out(dec.end());
  } finally {
    source.destroy();
  }
  if (f.fileSize !== null && size !== f.fileSize) {
    throw new VirtpointError(
      size < f.fileSize ? 'DATA_TRUNCATED' : 'DATA_CORRUPT',
      `${f.key} holds ${size} bytes, its manifest says ${f.fileSize}: copy the point again`,
    );
  }
  const sha = hash.digest('hex');
  if (f.sha256 !== null && sha !== f.sha256) {
    throw new VirtpointError(
      'DATA_CORRUPT',
      `${f.key} does not match its manifest (sha256 ${sha}, recorded ${f.sha256}): it was altered on the target; nothing of it was used`,
    );
  }
}

/** Fetches `needs` (scan.pointNeeds) into a new temporary directory; see the module comment. */
export async function fetchPoint(
  deps: FetchDeps,
  store: TargetStore,
  needs: PointNeeds,
  encryptKey: Uint8Array | null,
  opts: FetchOptions = {},
): Promise<FetchedPoint> {
  if (needs.missing.length > 0) {
    throw new VirtpointError(
      'REMOTE_NOT_FOUND',
      `the point is incomplete on the target: ${needs.missing.join(', ')} missing or of the wrong size; copy the point again`,
    );
  }
  const { fs, sink, log } = deps;
  const dir = join(deps.storeRoot, `.remote-fetch-${newId(deps.random)}`);
  await fs.mkdir(dir, 0o700);
  const written: string[] = [];
  const remove = async () => {
    for (const p of written) await fs.removeFile(p).catch(() => undefined);
    await fs
      .removeDirIfEmpty(dir)
      .catch((e: unknown) => log.warn({ dir, err: String(e) }, 'could not remove a fetch directory'));
  };
  const unique = [...new Map(needs.files.map((f) => [f.name, f])).values()];
  const total = unique.reduce((a, f) => a + (f.fileSize ?? 0), 0);
  let done = 0;
  const fetchOne = async (f: NeededFile) => {
    if (!FILE_RE.test(f.name)) throw new VirtpointError('DATA_CORRUPT', `${f.key}: bad file name ${f.name}`);
    const path = join(dir, f.name);
    written.push(path);
    const bytes = await sink.writeNew(path, verifiedStream(store, f, encryptKey, opts.signal), 0o600);
    done += bytes;
    opts.onProgress?.({ done, total: total > 0 ? total : null });
  };
  try {
    await eachLimit(unique, opts.concurrency ?? DEFAULT_CONCURRENCY, fetchOne);
  } catch (e) {
    await remove();
    throw e;
  }
  const top = new Map([...needs.top].map(([disk, f]) => [disk, join(dir, f.name)]));
  log.info({ dir, files: unique.length, bytes: done }, 'remote point fetched');
  return { dir, top, bytes: done, remove };
}

/** At daemon start: removes the fetch directories a killed daemon left (only this module's names). */
export async function removeFetchLeftovers(fs: Fs, storeRoot: string, log: Logger): Promise<number> {
  let n = 0;
  const names = await fs.listDir(storeRoot).catch(() => [] as string[]);
  for (const d of names.filter((x) => FETCH_DIR_RE.test(x))) {
    const dir = join(storeRoot, d);
    for (const f of await fs.listDir(dir).catch(() => [] as string[])) {
      if (FILE_RE.test(f)) await fs.removeFile(join(dir, f)).catch(() => undefined);
    }
    await fs.removeDirIfEmpty(dir).catch(() => undefined);
    if (!(await fs.exists(dir))) n++;
    else log.warn({ dir }, 'a fetch directory holds files virtpoint did not make; left as is');
  }
  if (n > 0) log.info({ dirs: n }, 'removed fetch directories a previous run left');
  return n;
}
