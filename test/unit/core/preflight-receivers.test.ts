import test from 'ava';

import { judgeReceiver } from '../../../src/core/preflight-receivers.js';

test('receiver judge: webhook up ok, down warn; exec hook missing or not executable fails', (t) => {
  const up = judgeReceiver({
    task: 'web',
    receiver: 'webhook:https://h/x',
    probe: { kind: 'webhook', connected: true },
  });
  t.like(up, { name: 'notify:web/webhook:https://h/x', status: 'ok' });
  const down = judgeReceiver({
    task: 'web',
    receiver: 'webhook:https://h/x',
    probe: { kind: 'webhook', connected: false, reason: 'h:443: ECONNREFUSED' },
  });
  t.is(down.status, 'warn');
  t.regex(down.message, /not reachable \(h:443: ECONNREFUSED\).*virtpoint task notify-test web/);
  const missing = judgeReceiver({
    task: 'web',
    receiver: 'exec:/x',
    probe: { kind: 'exec', exists: false, executable: false },
  });
  t.is(missing.status, 'fail');
  t.regex(missing.message, /does not exist/);
  const plain = judgeReceiver({
    task: 'web',
    receiver: 'exec:/x',
    probe: { kind: 'exec', exists: true, executable: false },
  });
  t.is(plain.status, 'fail');
  t.regex(plain.message, /chmod \+x/);
  const hook = judgeReceiver({
    task: 'web',
    receiver: 'exec:/x',
    probe: { kind: 'exec', exists: true, executable: true },
  });
  t.is(hook.status, 'ok');
});
