/**
 * Reading a local file in order from an offset (copies to a target, docs/copies.md "Copies"):
 * `chunks` yields the bytes of `path` from `offset` to its end, in chunks of at most `chunkSize`
 * bytes (the last may be shorter). NOT_FOUND when the file does not exist. Aborted by `signal`.
 */

export interface FileSource {
  chunks(path: string, offset: number, chunkSize: number, signal?: AbortSignal): AsyncIterable<Buffer>;
}
