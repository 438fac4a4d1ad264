/**
 * The copy jobs' part of the composition root (docs/copies.md, "Copies"): the CopyService over
 * the store and the target stores, and the resume of interrupted copies once the daemon's
 * reconciliation is done (copy-jobs.ts `resume`), then the retries of tasks' copies
 * (auto-copy.ts `start`).
 */

import { hostname } from 'node:os';

import { NodeFileSource } from '../adapters/file-source.js';
import type { RandomBytes } from '../core/names.js';
import type { Catalog } from '../ports/catalog.js';
import type { Copy } from '../ports/copies-catalog.js';
import type { Fs } from '../ports/fs.js';
import type { Logger } from '../ports/logger.js';
import { AutoCopies } from '../service/copies/auto-copy.js';
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
  /** A task's copy given up after its last retry (the `copy` notification). */
  readonly onGiveUp?: (copy: Copy) => void;
  /** The remote retention of a target (service/remote), run after each copy. */
  readonly prune?: (targetName: string) => Promise<unknown>;
}

export function composeCopyJobs(d: CopiesComposeDeps): { jobs: CopyJobs; auto: AutoCopies } {
  const copy = new CopyService({ ...d, files: new NodeFileSource(), hostName: hostname() });
  const jobs = new CopyJobs({ ...d, copy });
  const auto = new AutoCopies({ ...d, jobs, now: Date.now });
  void d.reconciled
    .then(async () => {
      await jobs.resume((p, t) => auto.resumeNow(p, t));
      auto.start();
    })
    .catch((e: unknown) => d.log.warn({ err: String(e) }, 'resuming interrupted copies failed'));
  return { jobs, auto };
}
