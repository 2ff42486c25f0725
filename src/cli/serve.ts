import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { portNumber, readableFile } from './options.js';
import { loadConfigFile } from '../config/config-file.js';
import { VERSION } from '../server/version.js';
import { serverTimeouts } from '../server/timeouts.js';
import { closeWithin, shutdownGraceMs } from '../server/shutdown.js';
import { gcSettings, tuneGarbageCollector } from '../ops/gc-tuning.js';
import { logLevel } from '../ops/log-level.js';
import { databaseOf, storeError } from './error-text.js';
import { serveLog, type ServeLog } from './serve-log.js';

/**
 * The server's own modules, loaded when `tact serve` runs: registering the command (every `tact`
 * call, `--help` included) does not load the server, the stores and the models.
 */
const serverModules = async () => {
  const [{ buildApp }, { Tact }, { metricsToken }, store, { storeChoiceOf }, { Keys }] = await Promise.all([import('../server/app.js'), import('../server/tact.js'), import('../ops/routes.js'), import('../store/open.js'), import('./existing-store.js'), import('../keys/keys.js')]);
  return { buildApp, Tact, metricsToken, Keys, storeChoiceOf, ...store };
};

/** `tact serve`: the HTTP server on PORT (default 8787) over the store the environment chooses. */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the Tact server (embedded SQLite in TACT_DATA_DIR, or PostgreSQL when TACT_DATABASE_URL is set).')
    .option('-p, --port <port>', 'port to listen on (env PORT)', process.env.PORT || '8787')
    .option('-H, --host <host>', 'address to bind (env HOST)', process.env.HOST ?? '0.0.0.0')
    .option('-c, --config <file>', 'config file (env TACT_CONFIG; default ./tact.config.yaml when present)', process.env.TACT_CONFIG)
    .addHelpText('after', `
Environment:
  PORT, HOST            where to listen (default 0.0.0.0:8787)
  TACT_DATA_DIR         folder of the embedded SQLite store (default ./data; one server at a time)
  TACT_DATABASE_URL     use PostgreSQL instead, e.g. postgres://postgres@127.0.0.1:5432/tact
  TACT_DATABASE_CONNECT_TIMEOUT_MS, TACT_DATABASE_STALL_MS
                        PostgreSQL that does not answer: a new connection fails after the first
                        (default 5000); a query unanswered for the second (10000) has the server
                        checked on a new connection (docs/configuration.md)
  TACT_DURABILITY       fsync (default): an answer waits until the write is on disk, so nothing
                        acknowledged is lost even on power loss; os: it waits until the write reached
                        the operating system — nothing is lost when Tact's process dies (kill -9),
                        a power loss can lose the last fraction of a second; answers skip the
                        disk's flush latency (docs/architecture.md, "Durability")
  TACT_WRITE_KEY, TACT_SERVER_KEY, TACT_ADMIN_KEY
                        bootstrap keys; when unset, a kind with no active key gets one generated and printed once
                        (on stderr: stdout carries the JSON log lines);
                        a value with a space or control character (or a colon in the write key) stops
                        the start, one under 32 characters is warned of at each start (docs/keys.md)
  TACT_HEADERS_TIMEOUT_MS, TACT_REQUEST_TIMEOUT_MS, TACT_KEEP_ALIVE_TIMEOUT_MS
                        how long a client may take over its headers (default 30000) and its whole
                        request (60000), and keep an idle connection open (72000); a late request
                        is answered 408 and its connection closed (docs/configuration.md)
  TACT_METRICS_TOKEN    require \`Authorization: Bearer <token>\` on GET /metrics (unset: /metrics is open)
  TACT_PARSE_WORKERS    threads that parse collection batches of 16 KB or more (default 1 on four
                        cores or more, else 0: on the main thread)
  TACT_LOG_LEVEL        trace, debug, info (default), warn, error, fatal, silent
  TACT_GC               default: keep V8's own garbage-collector settings instead of Tact's
                        (Tact doubles the heap-growing factor and turns pretenuring off; \`npm start\` also
                        gives Node --max-semi-space-size=64 --no-memory-reducer: docs/architecture.md, "Memory")
  TACT_TRACE_CHECKPOINT a file the embedded store appends each WAL copy over 50 ms to (diagnosis)
  TACT_BENCH_NOOP       1 adds POST /v1/decide/noop, the benchmark's floor; leave it unset in production
Every variable, with its default: docs/configuration.md, "Environment".

Examples:
  tact serve                                    (0.0.0.0:8787, the store in ./data)
  tact serve --port 9000 --host 127.0.0.1 --config tact.config.yaml
  TACT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tact tact serve`)
    .action(async (opts: { port: string; host: string; config?: string }, cmd: Command) => {
      const { buildApp, Tact, metricsToken, Keys, isRetryableStoreError, openStore, storeChoiceOf } = await serverModules();
      // Before the store is opened and keys are made: a wrong port, timeout, log level or metrics token is a typo, not a start.
      const port = portNumber(cmd.getOptionValueSource('port') === 'cli' ? '--port' : 'PORT', opts.port);
      const timeouts = serverTimeouts(process.env);
      logLevel(process.env);
      metricsToken(process.env);
      // Read before the store is opened too: a config path that names a folder or nothing is a typo.
      if (opts.config) readableFile(cmd.getOptionValueSource('config') === 'cli' ? '--config' : 'TACT_CONFIG', opts.config);
      const configFile = loadConfigFile(opts.config);
      // Tried before the store is opened: a port in use or a wrong --host made (and printed) new keys first.
      await tryListen(port, opts.host, cmd.getOptionValueSource('host') === 'cli' ? '--host' : 'HOST');
      const gc = tuneGarbageCollector();
      // As the one server of an embedded store: a second one on the same folder is refused, naming this one.
      // Its errors name the variable that chose the store (TACT_DATA_DIR, TACT_DATABASE_URL).
      const choice = storeChoiceOf(process.env);
      const store = await openStore({ ...choice, owner: { port } }).catch((err: unknown) => {
        throw storeError(err, choice);
      });
      // The key values are checked before the config file is applied: a start refused for a key changes nothing.
      await new Keys(store.keys).checkBootstrap(process.env);
      // Its lines stop, not the server, when stdout cannot be written (a closed terminal: serve-log.ts).
      const log = serveLog();
      const tact = await Tact.create({ store, configFile, isRetryable: isRetryableStoreError, logger: log.logger });
      const created = await tact.keys.bootstrap(process.env);
      const generated = created.filter((k) => k.from === 'generated');
      if (generated.length) {
        // On stderr: stdout is the JSON log stream, which a log shipper keeps and parses line by line
        // (until 2026-12-06 the keys went there, into the stored logs, and broke their parsing).
        const lines = generated.map((k) => `  ${k.kind.padEnd(7)} ${k.secret}`).join('\n');
        process.stderr.write(`\nNew keys — shown once, stored only as hashes. Keep them now:\n${lines}\n\n`);
      }
      const app = await buildApp(tact, { timeouts });
      const grace = shutdownGraceMs(timeouts);
      // One shutdown, whichever signals come: SIGHUP (the terminal closed) as SIGTERM — until
      // 2026-12-06 it ended the process at once, unlogged, with requests in flight (the config file
      // is read at start only: SIGHUP reloads nothing). A second one (Ctrl-C again, or SIGTERM
      // after SIGINT) ends the process at once — the writes acknowledged are durable; what was not
      // acknowledged is not stored, as the log says. Until 2026-12-05 SIGTERM after SIGINT began a
      // second shutdown beside the first, closing the store under it.
      let stopping = false;
      const onSignal = (signal: string) => {
        if (!stopping) {
          stopping = true;
          void shutdown(signal);
          return;
        }
        tact.log.warn({ signal }, 'second signal while shutting down: stopping now; requests not yet answered are not stored');
        process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
      };
      const shutdown = async (signal: string) => {
        const started = Date.now();
        tact.log.info({ signal, graceMs: grace }, 'shutting down: finishing requests in flight and queued writes');
        try {
          // Bounded: a slow or silent connection held the process for ever (shutdown.ts).
          const forced = await closeWithin(app, grace, tact.log);
          await tact.close();
          await store.close();
          tact.log.info({ signal, ms: Date.now() - started, forcedConnections: forced }, 'stopped');
          if (signal === 'SIGHUP') await hangUp(log);
          else process.exit(0);
        } catch (err) {
          // Acknowledged writes are durable already; say what failed and leave with a failure status.
          tact.log.error({ err }, 'shutdown failed');
          process.exit(1);
        }
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGHUP', () => onSignal('SIGHUP'));
      await app.listen({ port, host: opts.host });
      // Where it listens and which store it serves (never the URL's password): a start on the wrong folder or database shows.
      const storeAt = choice.databaseUrl ? { database: databaseText(choice.databaseUrl) } : { dataDir: resolve(choice.dataDir ?? './data') };
      tact.log.info({ version: VERSION, host: opts.host, port, store: store.kind, ...storeAt, durability: store.durability, gc: gcSettings(gc), timeouts, parseWorkers: tact.batches.workers, config: configFile?.path ?? null, docs: `http://localhost:${port}/docs` }, 'Tact is listening');
    });
}

/**
 * Ends the process as SIGHUP ends it (status 129 in a shell), once the log is written: after a
 * closed terminal, Node's own exit fails restoring the terminal's settings and aborts (a core
 * dump, status 139, after a clean shutdown).
 */
async function hangUp(log: ServeLog): Promise<void> {
  await log.end();
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/** The exit status of a second signal during the shutdown is 128 + the signal's number. */
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * A PostgreSQL URL as the start-up log names it: host, port and database, never the user's password.
 *
 * @example
 * databaseText('postgres://tact:pw@db.internal:6432/shop'); // 'db.internal:6432/shop'
 */
export function databaseText(url: string): string {
  const { host, port, database } = databaseOf(url);
  return `${host}:${port}${database ? `/${database}` : ''}`;
}

/**
 * Listens on `port` at `host` and closes again at once: the error `tact serve` would meet there
 * (a port in use or privileged as it is, errorText says), a host that is no address of this
 * machine by its name (`hostFrom`: --host or HOST).
 *
 * @example
 * await tryListen(8787, '192.0.2.1', '--host'); // throws 'The --host "192.0.2.1" is not an address of this machine: …'
 */
export async function tryListen(port: number, host: string, hostFrom: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen({ port, host }, ok));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRNOTAVAIL') throw new Error(`The ${hostFrom} "${host}" is not an address of this machine: give one of its addresses, e.g. 127.0.0.1, or 0.0.0.0 for all of them.`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') throw new Error(`The ${hostFrom} "${host}" is not a known host name (DNS): give an address of this machine, e.g. 127.0.0.1, or 0.0.0.0 for all of them.`);
    throw err;
  }
  await new Promise((done) => server.close(done));
}
