/** Finding and opening libvirtd's Unix socket. */
import net from 'node:net';

export const DEFAULT_SOCKET_PATHS = [
  '/var/run/libvirt/libvirt-sock',
  '/var/run/libvirt/virtqemud-sock',
] as const;

/** The socket paths to try, in order: the given one(s), else the defaults. */
export function socketPaths(socketPath: string | readonly string[] | undefined): string[] {
  if (socketPath === undefined) return [...DEFAULT_SOCKET_PATHS];
  return typeof socketPath === 'string' ? [socketPath] : [...socketPath];
}

/** Connects to one Unix socket; rejects on error or after `timeoutMs`. */
export function connectSocket(path: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
