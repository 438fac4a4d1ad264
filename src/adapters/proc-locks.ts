/**
 * Locks held on a file, read from the kernel's lock table (/proc/locks). Each line names the
 * locked inode as `MAJOR:MINOR:INODE` (major and minor in hex, of the filesystem's device), e.g.
 * `2: OFDLCK ADVISORY  READ -1 fe:00:1523857 100 101`; a waiting lock has `->` after its number.
 */

import { readFile, stat } from 'node:fs/promises';

/** The `MAJOR:MINOR:INODE` key of a file as /proc/locks writes it (Linux dev_t encoding). */
export function lockKey(dev: bigint, ino: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const hex = (n: bigint) => n.toString(16).padStart(2, '0');
  return `${hex(major)}:${hex(minor)}:${ino}`;
}

/** Lines of a /proc/locks text that lock `key` (waiting locks included). */
export function countLocks(table: string, key: string): number {
  let n = 0;
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.includes(key)) n++;
  }
  return n;
}

export async function locksHeld(path: string): Promise<number> {
  const s = await stat(path, { bigint: true });
  return countLocks(await readFile('/proc/locks', 'utf8'), lockKey(s.dev, s.ino));
}
