import type { Logger } from '../../../../src/ports/logger.js';
import type { RunNotification } from '../../../../src/ports/notifier.js';

export const payload: RunNotification = {
  version: 1,
  event: 'task-run',
  host: 'kvm1.example.net',
  task: { name: 'nightly' },
  run: {
    id: 'r-0001',
    trigger: 'schedule',
    startedAt: '2025-03-01T02:00:00.000+01:00',
    endedAt: '2025-03-01T02:04:31.000+01:00',
    outcome: 'partial',
  },
  resources: [
    {
      domain: '6a1f2c3e-0000-4000-8000-000000000001',
      domainName: 'web1',
      outcome: 'succeeded',
      pointId: 'p-42',
      pointName: 'web1-20250301-0200',
      kind: 'incremental',
    },
    {
      domain: '6a1f2c3e-0000-4000-8000-000000000002',
      domainName: 'db1',
      disks: ['vdb'],
      outcome: 'failed',
      error: { code: 'FREEZE_TIMEOUT', message: 'guest agent did not freeze within 10 s' },
    },
  ],
};

export interface Line {
  level: string;
  obj: object;
  msg: string;
}

export function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, obj, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
