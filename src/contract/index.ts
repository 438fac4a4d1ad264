/**
 * The wire contract of the v1 API in one place: the JSON shapes the daemon answers and the inputs
 * it takes. The CLI, the API and the services import these; nothing here imports service/.
 */

export type * from './backup.js';
export type * from './catalog.js';
export type * from './restore.js';
export type * from './scheduling.js';
export type * from './recovery.js';
export type * from './verify.js';
export type * from './copies.js';
export type * from './remote.js';
export type * from './mount.js';
export type * from './volume-backup.js';
