import {
  pino,
  stdTimeFunctions,
  type DestinationStream,
  type Logger as PinoLogger,
  type LoggerOptions,
} from 'pino';
import type { Config } from './config.js';

/**
 * pino JSON lines on stdout (journald under systemd): `"level":"info"` (names, not pino's
 * numbers) and `"time":"2026-12-01T15:00:00.000Z"` (ISO-8601 UTC); secrets are redacted wherever
 * they appear.
 */
/** `destination`: stdout unless given (tests). */
export function createLogger(level: Config['logLevel'], destination?: DestinationStream): PinoLogger {
  const opts: LoggerOptions = {
    level,
    base: { service: 'virtpointd' },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'secret',
        '*.secret',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(opts) : pino(opts, destination);
}
