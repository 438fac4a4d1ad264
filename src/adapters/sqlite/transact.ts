/**
 * Runs `fn` in one transaction (IMMEDIATE when asked) and turns SQLite errors into VirtpointErrors
 * that name `what`; the catalog's parts share one of these.
 */
export type Transact = <T>(what: string, fn: () => T, immediate?: boolean) => T;
