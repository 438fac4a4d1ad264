import type { Logger } from '../../src/ports/logger.js';

export interface LogRecord {
  readonly level: keyof Logger;
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

/** A Logger that keeps every line (level, fields, message) for assertions. */
export function recordingLogger(): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: keyof Logger) =>
    (obj: object, msg: string): void =>
      void records.push({ level, obj: obj as Record<string, unknown>, msg });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, records };
}
