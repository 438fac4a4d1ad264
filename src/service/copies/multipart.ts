/**
 * One file as a multipart upload (docs/copies.md "Parts" and "Resume"), part of the copy job
 * (copy.ts). The parts are `partSize` bytes cut from the object's bytes (the file itself, or its
 * encrypted stream), each recorded in the catalog's upload state as it completes.
 *
 * Resume: an upload recorded in the catalog continues after its last completed part when it can
 * be continued exactly, else its old upload is aborted and it starts again from scratch (logged
 * "restarting an upload from scratch" with the reason). A clear upload continues when the file
 * has the same size and the part size is the same. An encrypted one also needs its resume state
 * (`Upload.enc`, written when the upload begins): the object's salt, the frame size, the key id
 * and the file's identity (size, mtime, inode, device). Since nonces derive from the salt and the
 * frame index (core/encryption.ts), the frame holding the first missing byte is encrypted again
 * from its plaintext, the bytes before that offset dropped, and the parts cut on as the first run
 * did: the completed object is byte for byte the one an uninterrupted upload would have made.
 */

import { FrameEncryptor, keyId, resumeAt } from '../../core/encryption.js';
import { VirtpointError } from '../../core/errors.js';
import type { RandomBytes } from '../../core/names.js';
import type { CopiesCatalog, Target, Upload } from '../../ports/copies-catalog.js';
import type { FileSource } from '../../ports/file-source.js';
import type { FileStat } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { CompletedPart, TargetStore } from '../../ports/target.js';

export interface MultipartDeps {
  readonly copies: CopiesCatalog;
  readonly files: FileSource;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly partSize: number;
  readonly frameSize: number;
}

export interface MultipartFile {
  readonly target: Target;
  readonly store: TargetStore;
  /** The target's encryption key; null: a clear upload. */
  readonly key: Buffer | null;
  readonly objKey: string;
  readonly pointId: string;
  /** The local file, store-relative (recorded) and absolute (read). */
  readonly file: string;
  readonly path: string;
  readonly stat: FileStat;
  /** The object's size once complete. */
  readonly objSize: number;
  readonly signal?: AbortSignal;
  /** Bytes of the object now on the target (resumed parts, then each part sent). */
  readonly progress: (bytes: number) => void;
}

/** `Upload.enc` of an encrypted upload (JSON). */
interface EncState {
  readonly v: 1;
  readonly salt: string;
  readonly frameSize: number;
  readonly keyId: string;
  readonly file: FileIdentity;
}

interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number | null;
  readonly ino: number | null;
  readonly dev: number | null;
}

const identity = (s: FileStat): FileIdentity => ({
  size: s.size,
  mtimeMs: s.mtimeMs ?? null,
  ino: s.ino ?? null,
  dev: s.dev ?? null,
});

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNumOrNull = (x: unknown): boolean => x === null || isNum(x);

function parseEncState(text: string): EncState | null {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const e = o as Record<string, unknown>;
  const f = (typeof e.file === 'object' && e.file !== null ? e.file : {}) as Record<string, unknown>;
  const ok =
    e.v === 1 &&
    typeof e.salt === 'string' &&
    /^[0-9a-f]{32}$/.test(e.salt) &&
    Number.isSafeInteger(e.frameSize) &&
    typeof e.keyId === 'string' &&
    isNum(f.size) &&
    isNumOrNull(f.mtimeMs) &&
    isNumOrNull(f.ino) &&
    isNumOrNull(f.dev);
  return ok ? (o as EncState) : null;
}

/** Removes an upload in flight: the remote one (when it has an id) and its catalog state. */
export async function forgetUpload(
  copies: CopiesCatalog,
  store: TargetStore,
  targetId: string,
  objKey: string,
  uploadId: string | null,
): Promise<void> {
  if (uploadId !== null) await store.abortUpload(objKey, uploadId);
  copies.endUpload(targetId, objKey);
}

/** The completed parts a resume keeps: 1, 2, … in order, each of exactly `partSize` bytes. */
function keptParts(rec: Upload, partSize: number): CompletedPart[] {
  const parts: CompletedPart[] = [];
  for (const p of rec.parts) {
    if (p.partNumber !== parts.length + 1 || p.size !== partSize) break;
    parts.push(p);
  }
  return parts;
}

type Verdict = { readonly reason: string } | { readonly reason: null; readonly salt: Buffer | null };

/** Why `rec` cannot be continued exactly; reason null when it can (with an encrypted one's salt). */
function restartReason(deps: MultipartDeps, f: MultipartFile, rec: Upload): Verdict {
  if (rec.uploadId === null) return { reason: 'it has no upload id' };
  if (rec.size !== f.stat.size) return { reason: `the file is ${f.stat.size} bytes, was ${rec.size}` };
  if (rec.partSize !== deps.partSize)
    return { reason: `parts of ${deps.partSize} bytes, were ${rec.partSize}` };
  if (keptParts(rec, deps.partSize).length * deps.partSize > f.objSize) {
    return { reason: 'its recorded parts are longer than the object' };
  }
  if (f.key === null) return rec.enc === null ? { reason: null, salt: null } : { reason: 'it was encrypted' };
  if (rec.enc === null) return { reason: 'it has no encryption state (begun by an older virtpointd)' };
  const e = parseEncState(rec.enc);
  if (e === null) return { reason: 'its encryption state is unreadable' };
  if (e.frameSize !== deps.frameSize) {
    return { reason: `frames of ${deps.frameSize} bytes, were ${e.frameSize}` };
  }
  if (e.keyId !== keyId(f.key)) return { reason: 'it was encrypted with another key' };
  const now = identity(f.stat);
  if (now.mtimeMs === null) return { reason: "the file's modification time is unknown" };
  const was = e.file;
  if (was.size !== now.size || was.mtimeMs !== now.mtimeMs || was.ino !== now.ino || was.dev !== now.dev) {
    return { reason: 'the file changed since the upload began (mtime, inode or device)' };
  }
  return { reason: null, salt: Buffer.from(e.salt, 'hex') };
}

/** Uploads (or resumes) `f` as a multipart upload; the bytes sent by this call. */
export async function uploadMultipart(deps: MultipartDeps, f: MultipartFile): Promise<number> {
  const { copies, partSize, frameSize } = deps;
  const where = { key: f.objKey, target: f.target.name };
  let rec = copies.getUpload(f.target.id, f.objKey);
  let salt: Buffer | null = null;
  if (rec !== null) {
    const r = restartReason(deps, f, rec);
    if (r.reason === null) salt = r.salt;
    else {
      deps.log.info({ ...where, reason: r.reason }, 'restarting an upload from scratch');
      await forgetUpload(copies, f.store, f.target.id, f.objKey, rec.uploadId);
      rec = null;
    }
  }
  if (rec === null) {
    let enc: EncState | null = null;
    if (f.key !== null) {
      salt = Buffer.from(deps.random(16));
      enc = { v: 1, salt: salt.toString('hex'), frameSize, keyId: keyId(f.key), file: identity(f.stat) };
    }
    const uploadId = await f.store.beginUpload(f.objKey);
    rec = copies.beginUpload({
      targetId: f.target.id,
      key: f.objKey,
      pointId: f.pointId,
      file: f.file,
      size: f.stat.size,
      partSize,
      uploadId,
      enc: enc === null ? null : JSON.stringify(enc),
    });
  }
  const uploadId = rec.uploadId!;
  const parts = keptParts(rec, partSize);
  const offset = parts.length * partSize;
  if (offset > 0) {
    deps.log.info({ ...where, parts: parts.length }, 'resuming an upload');
    f.progress(offset);
  }
  let sent = 0;
  const window = new PartWindow(PARTS_IN_FLIGHT);
  let next = parts.length + 1;
  const put = async (data: Buffer): Promise<void> => {
    f.signal?.throwIfAborted();
    await window.room();
    const n = next++;
    window.add(async () => {
      const part = await f.store.putPart(f.objKey, uploadId, n, data);
      copies.recordPart(f.target.id, f.objKey, part);
      parts.push(part);
      sent += data.length;
      f.progress(data.length);
    });
  };
  try {
    await cutParts(deps, f, offset, salt, put);
    await window.drain();
  } finally {
    await window.settle(); // no part still being sent when the job ends, whatever happened
  }
  parts.sort((a, b) => a.partNumber - b.partNumber);
  await f.store.completeUpload(f.objKey, uploadId, parts);
  copies.endUpload(f.target.id, f.objKey);
  const after = await f.store.head(f.objKey);
  if (after === null || after.size !== f.objSize) {
    throw new VirtpointError(
      'DATA_CORRUPT',
      `${f.objKey} on target ${f.target.name} has ${after?.size ?? 0} bytes after its upload, expected ${f.objSize}: copy the point again`,
    );
  }
  return sent;
}

/** The object's bytes from `offset` cut into parts, each handed to `put` in order. */
async function cutParts(
  deps: MultipartDeps,
  f: MultipartFile,
  offset: number,
  salt: Buffer | null,
  put: (data: Buffer) => Promise<void>,
): Promise<void> {
  const { partSize, frameSize } = deps;
  if (f.key === null) {
    for await (const c of deps.files.chunks(f.path, offset, partSize, f.signal)) await put(c);
  } else {
    if (salt === null)
      throw new VirtpointError('INTERNAL', `no salt for the encrypted upload of ${f.objKey}`);
    // The frame holding byte `offset`, encrypted again from its plaintext; the bytes before dropped.
    const at = resumeAt(offset, f.stat.size, frameSize);
    const e = new FrameEncryptor(f.key, deps.random, frameSize, { salt, frame: at.frame });
    let skip = at.skip;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const add = async (out: Buffer[]): Promise<void> => {
      for (const b of out) {
        const drop = Math.min(skip, b.length);
        skip -= drop;
        if (drop < b.length) {
          pending.push(b.subarray(drop));
          pendingBytes += b.length - drop;
        }
      }
      while (pendingBytes >= partSize) {
        const all = Buffer.concat(pending);
        await put(all.subarray(0, partSize));
        pending = [all.subarray(partSize)];
        pendingBytes = all.length - partSize;
      }
    };
    for await (const c of deps.files.chunks(f.path, at.plainOffset, frameSize, f.signal))
      await add(e.push(c));
    await add(e.end());
    if (pendingBytes > 0) await put(Buffer.concat(pending));
  }
}

/**
 * Parts sent at once: two, so the next part is read (and encrypted) while one goes up and the
 * link is never idle between parts; at most three parts (96 MiB at the default size) in memory.
 * They complete in any order; a resume continues after the longest run of completed parts from
 * the first (keptParts), so one finished ahead of a part cut off by a kill is sent again.
 */
const PARTS_IN_FLIGHT = 2;

/** At most `size` part uploads running; the first failure is kept and thrown by room/drain. */
class PartWindow {
  private readonly running = new Set<Promise<void>>();
  private failure: { readonly e: unknown } | null = null;

  constructor(private readonly size: number) {}

  async room(): Promise<void> {
    while (this.running.size >= this.size && this.failure === null) await Promise.race(this.running);
    if (this.failure !== null) throw this.failure.e;
  }

  add(fn: () => Promise<void>): void {
    const p: Promise<void> = fn().then(
      () => void this.running.delete(p),
      (e: unknown) => {
        this.running.delete(p);
        this.failure ??= { e };
      },
    );
    this.running.add(p);
  }

  /** Waits for every part; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure !== null) throw this.failure.e;
  }

  /** Waits for every part, failed or not. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }
}
