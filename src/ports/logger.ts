/** The Logger port: structured logs (pino in the daemon, a recorder in tests). */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A Logger that adds `fields` to every line (a line's own fields win). */
export function withFields(log: Logger, fields: object): Logger {
  return {
    debug: (obj, msg) => log.debug({ ...fields, ...obj }, msg),
    info: (obj, msg) => log.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => log.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => log.error({ ...fields, ...obj }, msg),
  };
}
