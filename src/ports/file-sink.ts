/**
 * Writing a stream into a new local file (fetches from a target, docs/copies.md "Restore from a
 * target"). `writeNew` creates `path` exclusively (ALREADY_EXISTS when it exists), writes every
 * chunk of `source` in order, fsyncs and closes it. When `source` throws (a failed checksum, a
 * bad frame, a cut-off download) or a write fails, the partial file is removed and the error
 * rethrown: nothing half-written stays under `path`. Returns the bytes written.
 */

export interface FileSink {
  writeNew(path: string, source: AsyncIterable<Uint8Array>, mode: number): Promise<number>;
}
