import test from 'ava';

import { createLogger } from '../../../src/daemon/logger.js';

test('log lines: level names, ISO-8601 UTC times, secrets redacted', (t) => {
  const lines: string[] = [];
  const log = createLogger('info', { write: (s: string) => void lines.push(s) });
  log.warn({ job: 'j1', type: 'backup', password: 'hunter2' }, 'freeze slow');
  log.debug({}, 'not at info');
  t.is(lines.length, 1);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.is(line.level, 'warn');
  t.regex(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.like(line, {
    job: 'j1',
    type: 'backup',
    password: '[redacted]',
    msg: 'freeze slow',
    service: 'virtpointd',
  });
});
