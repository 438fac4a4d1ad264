import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLocks, lockKey, locksHeld } from '../../../src/adapters/proc-locks.js';

const TABLE = [
  '1: POSIX  ADVISORY  WRITE 26306 fe:00:16637954 0 0',
  '2: OFDLCK ADVISORY  READ -1 fe:00:1523857 203 203',
  '3: OFDLCK ADVISORY  READ -1 fe:00:1523857 100 101',
  '3: -> OFDLCK ADVISORY  WRITE -1 fe:00:1523857 100 101',
  '4: FLOCK  ADVISORY  WRITE 900 103:02:15238570 0 EOF',
  '',
].join('\n');

test('lockKey: major and minor in hex as the kernel prints them (small and large dev_t)', (t) => {
  t.is(lockKey(0xfe00n, 1523857n), 'fe:00:1523857');
  t.is(lockKey(0x10302n, 7n), '103:02:7');
  // major 300 and minor 70000 use the high bits of the 64-bit encoding
  const dev =
    ((300n & 0xfffn) << 8n) | ((300n & ~0xfffn) << 32n) | (70000n & 0xffn) | ((70000n & ~0xffn) << 12n);
  t.is(lockKey(dev, 1n), '12c:11170:1');
});

test('countLocks: every line naming the inode, waiting ones included; no prefix matches', (t) => {
  t.is(countLocks(TABLE, 'fe:00:1523857'), 3);
  t.is(countLocks(TABLE, 'fe:00:16637954'), 1);
  t.is(countLocks(TABLE, 'fe:00:152385'), 0);
  t.is(countLocks(TABLE, '103:02:15238570'), 1);
});

test('locksHeld on a real file: 1 while flock(1) holds it, 0 once its holders are killed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-locks-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'f');
  await writeFile(file, 'x');
  t.is(await locksHeld(file), 0);
  // its own process group: the lock's fd is shared by flock and the sleep it runs
  const holder = spawn('flock', [file, 'sleep', '30'], { stdio: 'ignore', detached: true });
  const stop = () => {
    try {
      process.kill(-holder.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  t.teardown(stop);
  let held = 0;
  for (let i = 0; i < 500 && held === 0; i++) {
    held = await locksHeld(file);
    if (held === 0) await new Promise((r) => setTimeout(r, 10));
  }
  t.is(held, 1);
  stop();
  for (let i = 0; i < 500 && held > 0; i++) {
    held = await locksHeld(file);
    if (held > 0) await new Promise((r) => setTimeout(r, 10));
  }
  t.is(held, 0);
});
