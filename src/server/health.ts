import type { FastifyInstance } from 'fastify';
import { fullDiskPlace, isDiskFull } from '../store/sqlite/disk-full.js';
import type { Tact } from './tact.js';
import { VERSION } from './version.js';

/** How long /health waits for the store before answering 503: a probe must not hang with the store. */
export const HEALTH_TIMEOUT_MS = 2_000;

const health = {
  type: 'object',
  properties: {
    status: { type: 'string', description: '`ok`; with a 503, `store unreachable`, or `store full` (the embedded store\'s disk is full: writes fail until space is freed).' },
    error: { type: 'string', description: 'With a 503 while the server shuts down: `overloaded` (docs/errors.md), with `message` and `errorId`.' },
    errorId: { type: 'string' },
    message: { type: 'string', description: 'With a 503: a sentence saying what did not answer (the reason is in the server log).' },
    store: { type: 'string' },
    durability: { type: 'string', description: 'What an acknowledgement waits for: `fsync` (the disk) or `os` (the operating system); TACT_DURABILITY.' },
    version: { type: 'string' },
    queueDepth: { type: 'integer' },
  },
} as const;

/** While health checks fail: the first failure is logged with its cause, then a reminder every this often, and the recovery. */
export const HEALTH_REMINDER_MS = 30_000;

/**
 * What a failed or passed health check logs, so that a probe polling every second through an
 * outage leaves a few lines, not one error with a stack a poll: the first failure at error with
 * its cause; while it lasts, a warning every HEALTH_REMINDER_MS with the failures counted; the
 * first pass after it, at info, with how long it lasted.
 *
 * @example
 * const outage = outageLog(HEALTH_REMINDER_MS);
 * outage.failed(Date.now()); // 'first'
 */
export function outageLog(reminderMs: number) {
  let since: number | undefined;
  let told = 0;
  let failures = 0;
  return {
    /** 'first' for the first failure of an outage, 'remind' when a reminder is due, else 'quiet'. */
    failed(now: number): 'first' | 'remind' | 'quiet' {
      failures += 1;
      if (since === undefined) {
        since = now;
        told = now;
        return 'first';
      }
      if (now - told < reminderMs) return 'quiet';
      told = now;
      return 'remind';
    },
    /** The outage that a passed check ends (its length and failed checks), or undefined when there was none. */
    passed(now: number): { ms: number; failures: number } | undefined {
      if (since === undefined) return undefined;
      const ended = { ms: now - since, failures };
      since = undefined;
      failures = 0;
      return ended;
    },
    get failures() {
      return failures;
    },
  };
}

/** GET /health answers without a key: the store answers, and how deep the write queue is. */
export async function healthRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const outage = outageLog(HEALTH_REMINDER_MS);
  app.get('/health', {
    schema: {
      tags: ['ops'],
      summary: 'Liveness and store reachability (no key needed)',
      description: `200 when the store answers a ping within ${HEALTH_TIMEOUT_MS / 1000} s and takes writes (the embedded store's writer stops after a failed flush to the disk, and takes none while its disk is full; a PostgreSQL standby or read-only database takes none), else 503.`,
      security: [],
      response: { 200: health, 503: health },
    },
  }, async (req, reply) => {
    const about = () => ({ store: tact.store.kind, durability: tact.store.durability, version: VERSION, queueDepth: tact.ingestor.depth });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        tact.store.ping(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS); }),
      ]);
      const ended = outage.passed(Date.now());
      if (ended) req.log.info({ outageMs: ended.ms, failedChecks: ended.failures }, 'health check: the store answers again');
      return { status: 'ok', ...about() };
    } catch (err) {
      const told = outage.failed(Date.now());
      if (told === 'first') req.log.error({ err }, 'health check: the store did not answer');
      else if (told === 'remind') req.log.warn({ error: (err as Error | undefined)?.message, failedChecks: outage.failures }, 'health check: the store still does not answer');
      void reply.status(503);
      if (isDiskFull(err)) return { status: 'store full', message: `The ${tact.store.kind} store takes no writes: the disk of ${fullDiskPlace(err).replace(/^the store's/, 'its')} is full. Free space there; a write is tried at each check.`, ...about() };
      const timedOut = (err as Error | undefined)?.message === `no answer within ${HEALTH_TIMEOUT_MS} ms`;
      const what = timedOut ? `within ${HEALTH_TIMEOUT_MS / 1000} s` : '(it refused or failed it, or takes no writes)';
      return { status: 'store unreachable', message: `The ${tact.store.kind} store did not answer a ping ${what}; the reason is in the server log.`, ...about() };
    } finally {
      clearTimeout(timer);
    }
  });
}
