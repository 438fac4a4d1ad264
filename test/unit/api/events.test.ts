import { request, type ClientRequest, type IncomingMessage } from 'node:http';

import test from 'ava';

import type { JobView } from '../../../src/contract/index.js';
import { JOB_DONE, JOB_RUNNING } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness } from './helpers.js';

/** Opens the event stream and hands out the JobView lines one by one as they arrive. */
function openStream(h: Harness, id: string) {
  const lines: JobView[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  let req: ClientRequest | undefined;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req = request({ socketPath: h.socket, path: `/v1/jobs/${id}/events`, agent: false }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffer.slice(0, nl)) as JobView);
          buffer = buffer.slice(nl + 1);
        }
        waiters.splice(0).forEach((w) => w());
      });
      res.on('end', () => {
        ended = true;
        waiters.splice(0).forEach((w) => w());
      });
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise<void>((r) => waiters.push(r));
  };
  return {
    response,
    lines,
    ended: () => ended,
    waitLines: (n: number) => until(() => lines.length >= n || ended),
    waitEnd: () => until(() => ended),
    abort: () => req?.destroy(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

test('a running job streams its changes as NDJSON and the stream ends when it is final', async (t) => {
  const h = await startHarness();
  try {
    const s = openStream(h, JOB_RUNNING);
    const res = await s.response;
    t.is(res.statusCode, 200);
    t.is(res.headers['content-type'], 'application/x-ndjson');
    await s.waitLines(1);
    t.like(s.lines[0], { id: JOB_RUNNING, state: 'running', progress: { done: 0, total: 1000 } });
    t.is(h.fakes.catalog.watcherCount(JOB_RUNNING), 1);
    h.fakes.catalog.pushJob(JOB_RUNNING, { progress: { done: 400, total: 1000 } });
    await s.waitLines(2);
    h.fakes.catalog.pushJob(JOB_RUNNING, { progress: { done: 1000, total: 1000 } });
    h.fakes.catalog.pushJob(JOB_RUNNING, { state: 'succeeded', endedAt: '2025-01-01T00:01:00.000Z' });
    await s.waitEnd();
    t.deepEqual(
      s.lines.map((j) => [j.state, j.progress.done]),
      [
        ['running', 0],
        ['running', 400],
        ['running', 1000],
        ['succeeded', 1000],
      ],
    );
    t.is(h.fakes.catalog.watcherCount(JOB_RUNNING), 0, 'unsubscribed when the job ended');
    h.fakes.catalog.pushJob(JOB_RUNNING, { progress: { done: 1, total: 1 } });
    t.is((await h.req('GET', '/v1/status')).status, 200);
  } finally {
    await h.close();
  }
});

test('a finished job: one line, then the end', async (t) => {
  const h = await startHarness();
  try {
    const s = openStream(h, JOB_DONE);
    await s.waitEnd();
    t.is(s.lines.length, 1);
    t.like(s.lines[0], { id: JOB_DONE, state: 'succeeded' });
    t.is(h.fakes.catalog.watcherCount(JOB_DONE), 0);
  } finally {
    await h.close();
  }
});

test('the client going away unsubscribes', async (t) => {
  const h = await startHarness();
  try {
    const s = openStream(h, JOB_RUNNING);
    await s.waitLines(1);
    t.is(h.fakes.catalog.watcherCount(JOB_RUNNING), 1);
    s.abort();
    for (let i = 0; i < 50 && h.fakes.catalog.watcherCount(JOB_RUNNING) > 0; i++) await tick();
    t.is(h.fakes.catalog.watcherCount(JOB_RUNNING), 0);
    h.fakes.catalog.pushJob(JOB_RUNNING, { progress: { done: 5, total: 1000 } });
    t.is((await h.req('GET', '/v1/status')).status, 200);
  } finally {
    await h.close();
  }
});

test('an unknown job: 404 JSON, no subscription left', async (t) => {
  const h = await startHarness();
  try {
    const r = await h.req('GET', '/v1/jobs/ffffffffffff/events');
    t.is(r.status, 404);
    t.is(errorOf(r).code, 'JOB_NOT_FOUND');
    t.regex(String(r.headers['content-type']), /^application\/json/);
  } finally {
    await h.close();
  }
});

test('shutdown ends open streams; a request arriving during shutdown gets 503 SHUTTING_DOWN', async (t) => {
  const h = await startHarness();
  const { connect } = await import('node:net');
  try {
    const s = openStream(h, JOB_RUNNING);
    await s.waitLines(1);
    // A request whose headers are half sent when the shutdown begins.
    const raw = connect({ path: h.socket });
    await new Promise((r) => raw.once('connect', r));
    let answer = '';
    raw.on('data', (c) => (answer += String(c)));
    const rawEnded = new Promise((r) => raw.once('close', r));
    raw.write('GET /v1/status HTTP/1.1\r\nhost: localhost\r\n');
    await tick();
    const closed = h.server.shutdown();
    t.true(h.server.shuttingDown);
    await s.waitEnd();
    t.is(h.fakes.catalog.watcherCount(JOB_RUNNING), 0, 'the stream ended and unsubscribed');
    raw.write('\r\n');
    await rawEnded;
    t.regex(answer, /^HTTP\/1\.1 503/);
    t.regex(answer, /"code":"SHUTTING_DOWN"/);
    await closed;
    t.false(h.server.listening);
  } finally {
    await h.close();
  }
});
