/**
 * A fake QMP server on a Unix socket for unit tests: sends the greeting, answers each command
 * with what `handle` returns (`{ return }` or `{ error }`), records every command, and can send
 * events (`emit`).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface QmpCall {
  readonly execute: string;
  readonly arguments?: Record<string, unknown>;
}

export type QmpReply = { return: unknown } | { error: { class: string; desc: string } } | 'silent';

export interface FakeQmp {
  readonly path: string;
  readonly calls: QmpCall[];
  emit(event: string, data: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function fakeQmp(
  handle: (call: QmpCall, server: FakeQmp) => QmpReply = () => ({ return: {} }),
): Promise<FakeQmp> {
  const dir = await mkdtemp(join(tmpdir(), 'vp-qmp-'));
  const path = join(dir, 'qmp.sock');
  const sockets = new Set<Socket>();
  const calls: QmpCall[] = [];
  const fake: FakeQmp = {
    path,
    calls,
    emit: (event, data) => {
      for (const s of sockets) s.write(JSON.stringify({ event, data, timestamp: {} }) + '\n');
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.write(JSON.stringify({ QMP: { version: {}, capabilities: [] } }) + '\n');
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, nl)) as QmpCall & { id?: string };
        buf = buf.slice(nl + 1);
        calls.push({ execute: msg.execute, ...(msg.arguments ? { arguments: msg.arguments } : {}) });
        const reply = handle(msg, fake);
        if (reply !== 'silent') s.write(JSON.stringify({ ...reply, id: msg.id }) + '\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  return fake;
}
