import { pino, type Logger as PinoLogger } from 'pino';
import type { Config } from './config.js';

/** pino JSON lines on stdout (journald under systemd); secrets are redacted wherever they appear. */
export function createLogger(level: Config['logLevel']): PinoLogger {
  return pino({
    level,
    base: { service: 'virtpointd' },
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
  });
}
