#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { createShutdownInhibitor } from '../adapters/logind/inhibitor.js';
import { isVirtpointError } from '../core/errors.js';
import { loadConfig, DEFAULT_CONFIG_FILE } from './config.js';
import { Daemon } from './daemon.js';
import { createLogger } from './logger.js';
import { createNotifier } from './systemd-notify.js';
import { VERSION } from './version.js';

/** virtpointd: flags, config, signals (SIGTERM/SIGINT stop, SIGHUP reloads the config). */

// Files are private (catalog, logs, temp files, qemu-img's outputs): everything the daemon and its
// children create is 0600/0700 unless a mode is set on purpose (store dirs 0711, socket 0660).
process.umask(0o077);

const argv = await yargs(hideBin(process.argv))
  .scriptName('virtpointd')
  .usage('$0 [--config FILE] [--socket PATH] [--state-dir DIR]')
  .option('config', { type: 'string', describe: `config file (default ${DEFAULT_CONFIG_FILE}, optional)` })
  .option('socket', { type: 'string', describe: 'API socket path (overrides the file)' })
  .option('state-dir', { type: 'string', describe: 'catalog and store directory (overrides the file)' })
  .option('log-level', { type: 'string', describe: 'fatal|error|warn|info|debug|trace' })
  .option('rebuild-catalog', {
    type: 'boolean',
    describe: 'rebuild an empty catalog from the point manifests in the store (docs/recovery.md)',
  })
  .strict()
  .version(VERSION)
  .help()
  .parseAsync();

const flags = {
  ...(argv.config ? { config: argv.config } : {}),
  ...(argv.socket ? { socket: argv.socket } : {}),
  ...(argv['state-dir'] ? { stateDir: argv['state-dir'] } : {}),
  ...(argv['log-level'] ? { logLevel: argv['log-level'] } : {}),
};

let config;
try {
  config = await loadConfig(flags);
} catch (e) {
  process.stderr.write(`virtpointd: ${(e as Error).message}\n`);
  process.exit(2);
}
const log = createLogger(config.logLevel);

try {
  const notifier = createNotifier({ logger: log });
  const inhibitor = await createShutdownInhibitor({ logger: log });
  const daemon = await Daemon.start(config, {
    log,
    notifier,
    inhibitor,
    rebuildCatalog: argv['rebuild-catalog'] === true,
  });

  const stop = (signal: string) => {
    log.info({ signal }, 'shutting down');
    daemon.stop().then(
      () => process.exit(0),
      (e) => {
        log.error({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    void (async () => {
      await notifier.reloading('reloading the config');
      try {
        daemon.reload(await loadConfig(flags));
      } catch (e) {
        log.error({ err: String(e) }, 'config reload failed; keeping the running config');
      }
      await notifier.ready('reloaded');
    })();
  });
} catch (e) {
  log.fatal({ err: String(e), code: isVirtpointError(e) ? e.code : undefined }, 'virtpointd could not start');
  process.stderr.write(`virtpointd: could not start: ${(e as Error).message}\n`);
  process.exit(1);
}
