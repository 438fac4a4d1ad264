import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../../ports/logger.js';
import type { BackupApi } from '../../service/backup/api.js';
import type { CatalogApi } from '../../service/catalog/api.js';
import type { CopiesApi } from '../../service/copies/api.js';
import type { DomainCreateApi } from '../../service/domain-create/api.js';
import type { MountApi } from '../../service/mount/api.js';
import type { MetricsApi } from '../../service/metrics/api.js';
import type { RecoveryApi } from '../../service/recovery/api.js';
import type { RemoteApi } from '../../service/remote/api.js';
import type { RestoreApi } from '../../service/restore/api.js';
import type { SchedulingApi } from '../../service/scheduling/api.js';
import type { NotifyTestApi } from '../../service/scheduling/notify-test.js';
import type { VerifyApi } from '../../service/verify/api.js';
import type { VolumeBackupApi } from '../../service/volume-backup/api.js';
import type { Headers } from '../respond.js';
import type { PathParams } from '../router.js';

/** One API object per feature (built by daemon/compose.ts); each route calls exactly one. */
export interface Apis {
  readonly catalog: CatalogApi;
  readonly backup: BackupApi;
  readonly restore: RestoreApi;
  readonly scheduling: SchedulingApi;
  readonly notifyTest: NotifyTestApi;
  readonly recovery: RecoveryApi;
  readonly verify: VerifyApi;
  readonly copies: CopiesApi;
  readonly remote: RemoteApi;
  readonly mount: MountApi;
  readonly domains: DomainCreateApi;
  readonly metrics: MetricsApi;
  readonly volumeBackup: VolumeBackupApi;
}

export interface RouteContext {
  readonly apis: Apis;
  readonly params: PathParams;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly log: Logger;
  readonly now: () => number;
  /** Streams register an `end` function so a shutdown can close them. */
  readonly trackStream: (end: () => void) => () => void;
}

/** A JSON answer, or `streamed` when the handler wrote the response itself. */
export type RouteResult =
  { readonly status: number; readonly body?: unknown; readonly headers?: Headers } | 'streamed';

export type Handler = (ctx: RouteContext) => Promise<RouteResult>;

export interface RouteSpec {
  /** Whether the route reads a JSON body; the others take none (or `{}`). */
  readonly body: boolean;
  readonly handle: Handler;
}

export const ok = (body: unknown) => ({ status: 200, body });
export const accepted = (body: unknown) => ({ status: 202, body });
export const noContent = () => ({ status: 204 });
/** 202 with the queued job and `Location: /v1/jobs/{id}`. */
export const queued = (job: { id: string }) => ({
  status: 202,
  body: job,
  headers: { location: `/v1/jobs/${job.id}` },
});
export const noBody = (handle: Handler): RouteSpec => ({ body: false, handle });
export const withBody = (handle: Handler): RouteSpec => ({ body: true, handle });
