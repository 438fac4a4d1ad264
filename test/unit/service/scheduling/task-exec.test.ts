import test from 'ava';
import { VirtpointError } from '../../../../src/core/errors.js';
import { SchedulingApiImpl } from '../../../../src/service/scheduling/api.js';
import { SchedulingService } from '../../../../src/service/scheduling/policies-tasks.js';
import { renderTask } from '../../../../src/cli/render-scheduling.js';
import { schedHarness, TZ } from './_sched.js';

/** The harness plus the scheduling API over it (the views `task show` / `task history` print). */
async function setup() {
  const h = await schedHarness();
  const svc = new SchedulingService({
    catalog: h.catalog,
    hypervisor: h.hv,
    runTask: h.scheduler.runTask,
    domainBusy: (uuid) => h.exec.busy(uuid),
  });
  const api = new SchedulingApiImpl(svc, { now: () => h.clock.now, timeZone: TZ });
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], { receivers: [{ kind: 'journal' }] });
  const runOnce = async () => {
    const run = await h.scheduler.runTask({ task, trigger: 'manual', policy: null, scheduledFor: null });
    await h.scheduler.idle();
    return h.db.getTaskRun(run.id)!;
  };
  return { h, api, task, runOnce };
}

test('a point that fell back to crash consistency: run succeeded-with-warnings, warning in history, show and payload', async (t) => {
  const { h, api, runOnce } = await setup();
  const fine = await runOnce();
  t.is(fine.outcome, 'succeeded');
  t.is(fine.resources[0]?.consistency, 'filesystem');
  t.false('warnings' in fine.resources[0]!);

  h.hv.failNext('freezeFilesystems', new VirtpointError('AGENT_UNAVAILABLE', 'guest agent is not connected'));
  const run = await runOnce();
  t.is(run.outcome, 'succeeded-with-warnings');
  const r = run.resources[0]!;
  t.is(r.outcome, 'succeeded');
  t.is(r.consistency, 'crash');
  t.is(r.warnings?.length, 1);
  t.regex(
    r.warnings![0]!,
    /^point backup_\w+ \(\w+\) is crash-consistent: freeze failed: guest agent is not connected$/,
  );

  const payload = h.sent.at(-1)!.payload;
  t.is(payload.run.outcome, 'succeeded-with-warnings');
  t.is(payload.resources[0]?.consistency, 'crash');
  t.deepEqual(payload.resources[0]?.warnings, r.warnings);
  t.is(h.sent[0]!.payload.resources[0]?.consistency, 'filesystem');

  const [latest] = await api.taskHistory('web', { limit: 1 });
  t.is(latest?.outcome, 'succeeded-with-warnings');
  t.deepEqual(latest?.warnings, [`${r.domainName}: ${r.warnings![0]!}`]);
  t.deepEqual(latest?.resources[0]?.warnings, r.warnings);
  const view = await api.getTask('web');
  t.is(view.lastRun?.outcome, 'succeeded-with-warnings');
  t.deepEqual(view.lastRun?.warnings, latest?.warnings);
  t.regex(
    renderTask(view),
    /^last run +succeeded with 1 warning: \w+: point backup_\w+ .* is crash-consistent: freeze failed/m,
  );
});

test('a failed notification delivery: the recorded run becomes succeeded-with-warnings, the failure in its warnings', async (t) => {
  const { h, api, runOnce } = await setup();
  h.setDeliver(() => ({
    receiver: 'journal',
    ok: false,
    attempts: 1,
    durationMs: 1,
    error: { code: 'INTERNAL', message: 'journal: stdout closed' },
  }));
  const run = await runOnce();
  t.is(h.sent.at(-1)!.payload.run.outcome, 'succeeded', 'sent before its delivery was known');
  t.is(run.outcome, 'succeeded-with-warnings');
  t.false(run.notifications[0]!.ok);
  const [latest] = await api.taskHistory('web', { limit: 1 });
  t.deepEqual(latest?.warnings, ['notification journal failed: journal: stdout closed (INTERNAL)']);
  t.is((await api.getTask('web')).lastRun?.outcome, 'succeeded-with-warnings');

  // A failed run stays failed; its failed delivery is recorded beside it.
  h.hv.jobOutcome = 'failed';
  const failed = await runOnce();
  t.is(failed.outcome, 'failed');
  t.false(failed.notifications[0]!.ok);
});
