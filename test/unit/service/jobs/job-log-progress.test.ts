import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { jobScopedLogger } from '../../../../src/service/jobs/job-log.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';

const D1 = '11111111-1111-4111-8111-111111111111';

test('job lines carry the job type; progress is logged per 10 % step, not per report', async (t) => {
  const rec = recordingLogger();
  const catalog = new SqliteCatalog({ path: ':memory:' });
  catalog.upsertDomain({ uuid: D1, name: 'web' });
  const runner = new JobRunner({ catalog, log: rec.log });
  const service = jobScopedLogger(rec.log);
  const job = runner.submit({ type: 'verify', trigger: 'manual', domainUuid: D1 }, async (ctx) => {
    service.info({}, 'deep inside');
    for (let done = 0; done <= 1000; done += 10) ctx.progress({ done, total: 1000 });
    return null;
  });
  await runner.wait(job.id);
  t.like(rec.records.find((r) => r.msg === 'deep inside')?.obj, {
    job: job.id,
    type: 'verify',
    domainName: 'web',
  });
  const progress = rec.records.filter((r) => r.msg === 'job progress');
  t.deepEqual(
    progress.map((r) => (r.obj as { percent?: number }).percent),
    [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
  );
  t.like(progress[0]?.obj, { job: job.id, type: 'verify', domain: D1, done: 100, total: 1000 });
});
