import type { Logger } from '../src/ports/logger.js';

/** A Logger for the bench's in-process services: warnings and errors collected for the result. */
export function collectingLogger(into: string[]): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (o, m) => void into.push(`warn: ${m} ${JSON.stringify(o)}`),
    error: (o, m) => void into.push(`error: ${m} ${JSON.stringify(o)}`),
  };
}
