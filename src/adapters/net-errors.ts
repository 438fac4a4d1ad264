/**
 * Socket errno codes that mean "the remote end could not be reached" (a target's
 * TARGET_UNREACHABLE), shared by the S3 and SSH adapters.
 */
export const UNREACHABLE_ERRNO: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
