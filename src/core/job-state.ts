/**
 * Job types, triggers and the job state machine:
 * `queued → running → succeeded | failed | canceled`, and `queued → canceled | failed`
 * (canceled before it started, or refused at start).
 */

import { VirtpointError } from './errors.js';

export const JOB_TYPES = [
  'backup',
  'rollback',
  'delete',
  'cleanup',
  'create-volume',
  'create-image',
  'verify',
  'create-domain',
  'copy',
  'remote-restore',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export type FinalJobState = 'succeeded' | 'failed' | 'canceled';

export const TRIGGERS = ['manual', 'schedule', 'retention'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'failed', 'canceled'],
  running: ['succeeded', 'failed', 'canceled'],
  succeeded: [],
  failed: [],
  canceled: [],
};

export function isJobFinal(state: JobState): state is FinalJobState {
  return state === 'succeeded' || state === 'failed' || state === 'canceled';
}

export function assertJobTransition(from: JobState, to: JobState, jobId?: string): void {
  if (!JOB_TRANSITIONS[from].includes(to)) {
    const who = jobId === undefined ? 'a job' : `job ${jobId}`;
    throw new VirtpointError('INVALID_STATE', `${who} cannot go from ${from} to ${to}`, {
      details: { from, to, jobId },
    });
  }
}
