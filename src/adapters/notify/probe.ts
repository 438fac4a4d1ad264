/** The ReceiverProbe adapter: a TCP connect (node:net) to a webhook's host:port, access(X_OK) of a hook. */

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';

import type { ReceiverProbeResult } from '../../core/preflight-receivers.js';
import type { ReceiverProbe } from '../../ports/receiver-probe.js';

function connectOnce(host: string, port: number, timeoutMs: number): Promise<ReceiverProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (r: ReceiverProbeResult): void => {
      socket.destroy();
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(
      () =>
        done({
          kind: 'webhook',
          connected: false,
          reason: `no connection to ${host}:${port} within ${timeoutMs} ms`,
        }),
      timeoutMs,
    );
    socket.once('connect', () => done({ kind: 'webhook', connected: true }));
    socket.once('error', (e: Error & { code?: string }) =>
      done({ kind: 'webhook', connected: false, reason: `${host}:${port}: ${e.code ?? e.message}` }),
    );
  });
}

export function createReceiverProbe(): ReceiverProbe {
  return {
    async webhook(url, timeoutMs) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return { kind: 'webhook', connected: false, reason: 'not a URL' };
      }
      const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
      return connectOnce(u.hostname.replace(/^\[|\]$/g, ''), port, timeoutMs);
    },
    async exec(path) {
      const exists = await access(path, constants.F_OK).then(
        () => true,
        () => false,
      );
      const executable =
        exists &&
        (await access(path, constants.X_OK).then(
          () => true,
          () => false,
        ));
      return { kind: 'exec', exists, executable };
    },
  };
}
