import { execFile } from 'node:child_process';

/** promtool (Debian `prometheus`; scripts/setup-host.sh installs it): its output, or a failure. */
export function promtool(args: readonly string[], stdin?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/promtool', [...args], (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('promtool is missing: apt-get install prometheus (scripts/setup-host.sh)'));
        return;
      }
      resolve({ code: typeof err?.code === 'number' ? err.code : err ? 1 : 0, out: stdout + stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
