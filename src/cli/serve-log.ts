import { pino, type Logger } from 'pino';
import { logLevel } from '../ops/log-level.js';

/** The log of `tact serve`, and how to end it with every line written. */
export interface ServeLog {
  logger: Logger;
  /** Writes the lines not yet written and closes the descriptor (at most `ms` waited for it). */
  end(ms?: number): Promise<void>;
}

/**
 * The log of `tact serve`: JSON lines on stdout (or the file descriptor `fd`) at TACT_LOG_LEVEL,
 * which stop — the server carrying on — once the descriptor cannot be written. pino drops its
 * lines after a closed pipe (EPIPE) only; after a closed terminal each write fails with EIO, and
 * its flush at exit retries such a write for ever: a `tact serve` whose terminal was closed
 * (SIGHUP) hung in its shutdown, no longer listening, until killed (2026-12-06).
 *
 * @example
 * const log = serveLog();
 * const tact = await Tact.create({ store, logger: log.logger });
 */
export function serveLog(env: NodeJS.ProcessEnv = process.env, fd = 1): ServeLog {
  const stream = pino.destination({ dest: fd, sync: false });
  let broken = false;
  stream.on('error', () => {
    // As pino does after EPIPE: nothing more is written, and nothing is left to flush at exit.
    broken = true;
    stream.write = () => true;
    stream.flush = (cb?: (err?: Error) => unknown) => void cb?.();
    stream.flushSync = () => undefined;
    stream.end = () => undefined;
  });
  const end = (ms = 2_000) =>
    new Promise<void>((done) => {
      if (broken) return done();
      const timer = setTimeout(done, ms);
      const finish = () => (clearTimeout(timer), done());
      stream.once('close', finish).once('error', finish);
      stream.end();
    });
  return { logger: pino({ level: logLevel(env) }, stream), end };
}
