import test from 'ava';
import { isVirtpointError } from '../../../src/core/errors.js';
import { formatReceiver, parseReceiver, validateReceivers } from '../../../src/core/policy-task.js';
import { redactReceiver, redactUrlSecrets } from '../../../src/core/redact.js';

test('user and password of a webhook URL are replaced', (t) => {
  t.is(
    redactReceiver('webhook:https://bob:hunter2@hooks.example.net/v1/hook'),
    'webhook:https://***@hooks.example.net/v1/hook',
  );
  t.is(redactReceiver('webhook:https://token@hooks.example.net/'), 'webhook:https://***@hooks.example.net/');
});

test('query values and the fragment are replaced; names, host and path stay', (t) => {
  t.is(
    redactReceiver('webhook:https://hooks.example.net/v?token=abc123&channel=ops#sig'),
    'webhook:https://hooks.example.net/v?token=***&channel=***#***',
  );
  t.is(
    redactReceiver('webhook:http://h.example/x?flag'),
    'webhook:http://h.example/x?flag',
    'a bare name has no value',
  );
});

test('an @ in the path or query is not taken for credentials', (t) => {
  t.is(redactReceiver('webhook:https://h.example/users/@ops'), 'webhook:https://h.example/users/@ops');
  t.is(redactReceiver('webhook:https://h.example/x?to=a@b.example'), 'webhook:https://h.example/x?to=***');
});

test('exec and journal receivers, and URLs without secrets, are unchanged', (t) => {
  for (const text of ['journal', 'exec:/usr/local/bin/hook', 'webhook:https://hooks.example.net/v1/hook']) {
    t.is(redactReceiver(text), text);
  }
});

test('text that is not a valid receiver is redacted as well (it is echoed in errors)', (t) => {
  t.is(redactReceiver('https://bob:hunter2@h.example/?k=v'), 'https://***@h.example/?k=***');
  t.is(redactUrlSecrets('ftp://bob:hunter2@h.example/x y'), 'ftp://***@h.example/x y');
});

test('the normalized form stored in the catalog redacts the same way', (t) => {
  const r = parseReceiver('webhook:https://bob:hunter2@hooks.example.net/v?token=abc123');
  t.is(
    formatReceiver(r),
    'webhook:https://bob:hunter2@hooks.example.net/v?token=abc123',
    'the catalog keeps it whole',
  );
  t.is(redactReceiver(formatReceiver(r)), 'webhook:https://***@hooks.example.net/v?token=***');
});

test('parse errors do not echo credentials or tokens', (t) => {
  const refused = [
    'webhook:ftp://bob:hunter2@h.example/?token=abc123',
    'http://bob:hunter2@h.example/?token=abc123',
  ];
  for (const text of refused) {
    const e = t.throws(() => parseReceiver(text));
    t.true(isVirtpointError(e) && e.code === 'INVALID_ARGUMENT');
    t.notRegex(e?.message ?? '', /hunter2|abc123/, text);
    t.regex(e?.message ?? '', /\*\*\*@h\.example/);
  }
  const twice = 'webhook:https://bob:hunter2@h.example/?token=abc123';
  const e = t.throws(() => validateReceivers([twice, twice]));
  t.regex(e?.message ?? '', /listed twice/);
  t.notRegex(e?.message ?? '', /hunter2|abc123/);
});

test('a redacted receiver copied back from a view is refused, not stored without its secret', (t) => {
  for (const text of [
    'webhook:https://***@hooks.example.net/v',
    'webhook:https://hooks.example.net/v?token=***',
    'webhook:https://hooks.example.net/v?a=1&token=***&b=2',
    'webhook:https://hooks.example.net/v#***',
  ]) {
    const e = t.throws(() => parseReceiver(text), undefined, text);
    t.regex(e?.message ?? '', /\*\*\* in place of a secret/, text);
  }
  t.is(
    parseReceiver('webhook:https://hooks.example.net/v?q=a***b').kind,
    'webhook',
    'a *** inside a value is data',
  );
});
