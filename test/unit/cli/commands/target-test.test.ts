import test from 'ava';

import { renderTargetTest } from '../../../../src/cli/commands/target-test.js';

test('target test prints latency, write and read throughput', (t) => {
  t.is(
    renderTargetTest({
      target: 'nas',
      key: 'probe/0123456789ab',
      bytes: 4 << 20,
      latencyMs: 2,
      writeMs: 40,
      readMs: 20,
      deleteMs: 3,
      writeBytesPerSecond: 100 << 20,
      readBytesPerSecond: 200 << 20,
    }),
    'target nas: ok (probe of 4 MiB written, read back, deleted)\n' +
      '  latency  2 ms\n' +
      '  write    100.0 MiB/s (40 ms)\n' +
      '  read     200.0 MiB/s (20 ms)\n' +
      '  delete   3 ms\n',
  );
});
