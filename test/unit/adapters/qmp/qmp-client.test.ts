import test from 'ava';

import { QmpClient } from '../../../../src/adapters/qmp/qmp-client.js';
import { isVirtpointError } from '../../../../src/core/errors.js';
import { fakeQmp } from '../../../helpers/fake-qmp.js';

test('connect negotiates capabilities; execute returns the reply of its own id', async (t) => {
  const server = await fakeQmp((c) =>
    c.execute === 'query-jobs' ? { return: [{ id: 'j', status: 'running' }] } : { return: {} },
  );
  const qmp = await QmpClient.connect(server.path);
  t.deepEqual(await qmp.execute('query-jobs'), [{ id: 'j', status: 'running' }]);
  await qmp.execute('blockdev-add', { 'node-name': 'src' });
  t.deepEqual(
    server.calls.map((c) => c.execute),
    ['qmp_capabilities', 'query-jobs', 'blockdev-add'],
  );
  t.deepEqual(server.calls[2]!.arguments, { 'node-name': 'src' });
  qmp.close();
  await server.close();
});

test('an error reply is COMMAND_FAILED with QEMU’s description', async (t) => {
  const server = await fakeQmp((c) =>
    c.execute === 'transaction'
      ? { error: { class: 'GenericError', desc: "Bitmap 'vp-x-1' not found" } }
      : { return: {} },
  );
  const qmp = await QmpClient.connect(server.path);
  const e = await t.throwsAsync(qmp.execute('transaction', { actions: [] }));
  t.true(isVirtpointError(e, 'COMMAND_FAILED'));
  t.regex(e!.message, /transaction failed: Bitmap 'vp-x-1' not found/);
  qmp.close();
  await server.close();
});

test('events reach the listeners; a closed socket fails what is pending with IO_ERROR', async (t) => {
  const server = await fakeQmp((c) => (c.execute === 'hang' ? 'silent' : { return: {} }));
  const qmp = await QmpClient.connect(server.path);
  const seen: string[] = [];
  const off = qmp.onEvent((e) => seen.push(`${e.event}:${String(e.data.status)}`));
  await qmp.execute('ping');
  server.emit('JOB_STATUS_CHANGE', { id: 'j', status: 'concluded' });
  await qmp.execute('ping');
  off();
  server.emit('JOB_STATUS_CHANGE', { id: 'j', status: 'null' });
  await qmp.execute('ping');
  t.deepEqual(seen, ['JOB_STATUS_CHANGE:concluded']);
  const hung = qmp.execute('hang');
  await server.close();
  const e = await t.throwsAsync(hung);
  t.true(isVirtpointError(e, 'IO_ERROR'));
});

test('no reply in time: COMMAND_TIMEOUT', async (t) => {
  const server = await fakeQmp(() => 'silent');
  const e = await t.throwsAsync(QmpClient.connect(server.path, 200));
  t.true(isVirtpointError(e, 'COMMAND_TIMEOUT'));
  await server.close();
});

test('a socket nobody listens on: IO_ERROR naming it', async (t) => {
  const e = await t.throwsAsync(QmpClient.connect('/nonexistent/vp-qmp.sock', 500));
  t.true(isVirtpointError(e, 'IO_ERROR'));
  t.regex(e!.message, /vp-qmp\.sock/);
});
