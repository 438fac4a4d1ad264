/**
 * The copy jobs' part of the composition root (docs/copies.md, "Copies"): the CopyService over
 * the store and the target stores, and the resume of interrupted copies once the daemon's
 * reconciliation is done (copy-jobs.ts `resume`).
 */

import { hostname } from 'node:os';

import { NodeFileSource } from '../adapters/file-source.js';
import type { RandomBytes } from '../core/names.js';
import type { Catalog } from '../ports/catalog.js';
import type { Fs } from '../ports/fs.js';
import type { Logger } from '../ports/logger.js';
import { CopyJobs } from '../service/copies/copy-jobs.js';
import { CopyService, type CopyStores } from '../service/copies/copy.js';
import type { JobRunner } from '../service/jobs/runner.js';

export interface CopiesComposeDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly stores: CopyStores;
  readonly runner: JobRunner;
  /** Resolved once the start-up reconciliation is done: interrupted copies resume then. */
  readonly reconciled: Promise<unknown>;
  /** The remote retention of a target (service/remote), run after each copy. */
  readonly prune?: (targetName: string) => Promise<unknown>;
}

export function composeCopyJobs(d: CopiesComposeDeps): CopyJobs {
  const copy = new CopyService({ ...d, files: new NodeFileSource(), hostName: hostname() });
  const jobs = new CopyJobs({ ...d, copy });
  void d.reconciled
    .then(() => jobs.resume())
    .catch((e: unknown) => d.log.warn({ err: String(e) }, 'resuming interrupted copies failed'));
  return jobs;
}
