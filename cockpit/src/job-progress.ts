/** Live progress of a job from its NDJSON events, shown in a dialog, then what it made. */
import type { JobView } from '../../src/contract/index.js';
import { followJob } from './api.js';
import { h, progressBar } from './dom.js';

/**
 * Appends a progress bar for `job` to `into` and follows its events until it is final.
 * Resolves with the final job (or the last one seen if the stream ended early).
 */
export async function showJobProgress(into: HTMLElement, job: JobView): Promise<JobView> {
  const bar = progressBar(`${job.type} job ${job.id}`);
  const status = h(
    'p',
    { class: 'vp-job-status', 'data-job': job.id },
    `${job.type} job ${job.id}: ${job.state}`,
  );
  into.append(status, bar.el);
  bar.set(job.progress.done, job.progress.total, job.state);
  const last =
    (await followJob(job.id, (j) => {
      bar.set(j.progress.done, j.progress.total, j.state);
      status.textContent = `${j.type} job ${j.id}: ${j.state}`;
    })) ?? job;
  if (last.state === 'failed' && last.error) {
    into.append(
      h(
        'p',
        { class: 'pf-v6-c-alert pf-m-danger pf-m-inline', role: 'alert' },
        `${last.error.message} (${last.error.code})`,
      ),
    );
  }
  return last;
}
