/**
 * Progress of a job on stderr: a bar redrawn in place on a TTY (percent, bytes, rate, ETA),
 * otherwise plain lines — one per state change and at most one per interval for progress.
 */

import type { JobView } from '../contract/index.js';
import type { CliIo } from './context.js';
import { humanDuration, humanSize } from './output.js';

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;
const DEFAULT_PLAIN_INTERVAL_MS = 5000;

export interface ProgressOptions {
  readonly now?: () => number;
}

export class JobProgress {
  private readonly now: () => number;
  private readonly plainIntervalMs: number;
  private lastState: string | undefined;
  private lastPhase: string | undefined;
  private lastDraw = -Infinity;
  private lastDone: number | undefined;
  private start: { t: number; done: number } | undefined;
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    opts: ProgressOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.plainIntervalMs = io.progressIntervalMs ?? DEFAULT_PLAIN_INTERVAL_MS;
  }

  update(job: JobView): void {
    const t = this.now();
    if (job.state === 'running' && this.start === undefined) this.start = { t, done: job.progress.done };
    // A new phase (rollback: shutting down, writing vda, starting) is shown at once, like a new state.
    const phase = job.progress.phase;
    const stateChanged = job.state !== this.lastState || (phase !== undefined && phase !== this.lastPhase);
    this.lastState = job.state;
    if (phase !== undefined) this.lastPhase = phase;
    if (this.io.isTTY) {
      if (stateChanged || t - this.lastDraw >= TTY_REDRAW_MS) {
        this.io.stderr.write(`\r\x1b[K${this.describe(job, t, true)}`);
        this.drawn = true;
        this.lastDraw = t;
      }
      return;
    }
    const moved = job.progress.done !== this.lastDone;
    if (stateChanged || (moved && t - this.lastDraw >= this.plainIntervalMs)) {
      this.io.stderr.write(this.describe(job, t, false) + '\n');
      this.lastDraw = t;
      this.lastDone = job.progress.done;
    }
  }

  /** The job is final: leave the bar on its own line (TTY) and print how it ended. */
  finish(job: JobView): void {
    const t = this.now();
    if (this.io.isTTY && this.drawn) this.io.stderr.write(`\r\x1b[K${this.describe(job, t, true)}\n`);
    else if (!this.io.isTTY && job.state !== this.lastState)
      this.io.stderr.write(this.describe(job, t, false) + '\n');
    this.lastState = job.state;
  }

  private describe(job: JobView, t: number, bar: boolean): string {
    const { done, total } = job.progress;
    const phase = job.state === 'running' ? (job.progress.phase ?? this.lastPhase) : undefined;
    const head = `${this.label}: ${phase ?? job.state}`;
    if (job.state === 'queued') return `${head}, waiting for its turn`;
    const parts: string[] = [];
    const ratio = total !== null && total > 0 ? Math.min(1, done / total) : null;
    if (bar && ratio !== null) {
      const filled = Math.round(ratio * BAR_WIDTH);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
    }
    if (ratio !== null) parts.push(`${(ratio * 100).toFixed(0).padStart(3)}%`);
    parts.push(total !== null ? `${humanSize(done)} / ${humanSize(total)}` : humanSize(done));
    const rate = this.rate(done, t);
    if (rate !== null) parts.push(`${humanSize(rate)}/s`);
    if (job.state === 'running' && rate !== null && rate > 0 && total !== null && total >= done) {
      parts.push(`ETA ${humanDuration((total - done) / rate)}`);
    }
    if (job.state !== 'running' && this.start !== undefined)
      parts.push(`in ${humanDuration((t - this.start.t) / 1000)}`);
    return `${head} ${parts.join('  ')}`;
  }

  /** Bytes per second since the job started running; null until there is something to divide. */
  private rate(done: number, t: number): number | null {
    if (this.start === undefined) return null;
    const secs = (t - this.start.t) / 1000;
    if (secs < 0.5) return null;
    return Math.max(0, (done - this.start.done) / secs);
  }
}
