import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, send } from '../../../test/harness.js';
import { isRetryableStoreError } from '../../store/open.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { Tact } from '../../server/tact.js';
import { shopConfig } from '../fixtures.js';
import { runAudience, type AudienceLine } from './audience-run.js';

/** A logger that keeps what it is given (pino's call shape: an object, then the message). */
function fakeLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj: typeof obj === 'object' && obj ? (obj as Record<string, unknown>) : {}, msg: msg ?? String(obj) });
  const log = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace'), fatal: at('fatal'), child: () => log, level: 'info' };
  return { log, lines };
}

/**
 * When every decision of a batch run fails (a store that went away, a broken rule), each subject's
 * error line still reaches the client, but the server log gets the first 10 in full and then a
 * summary with the count — not one line per subject.
 */
describe('the log of a batch run whose every decision fails', () => {
  const fake = fakeLogger();
  let store: Store;
  let tact: Tact;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    tact = await Tact.create({ store, logger: fake.log as never, background: false, isRetryable: isRetryableStoreError, configFile: { path: 'test-config', sections: shopConfig() } });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    const { buildApp } = await import('../../server/app.js');
    const app = await buildApp(tact);
    await send(app, '/v1/batch', { batch: Array.from({ length: 40 }, (_, k) => ({ type: 'identify', userId: `u${k}`, traits: { tier: 'gold' } })) });
    await app.close();
  });
  afterAll(async () => {
    await tact.close();
    await store.close();
  });

  it('logs 10 faults in full and sums up the other 30 in one line; every subject still gets its error line', async () => {
    const decider = tact.decide.decider;
    const decide = decider.decide.bind(decider);
    decider.decide = async () => {
      throw new Error('connection terminated unexpectedly');
    };
    fake.lines.length = 0;
    const out: AudienceLine[] = [];
    try {
      for await (const line of runAudience(tact, { placement: 'weekly-email', audience: 'true' })) out.push(line);
    } finally {
      decider.decide = decide;
    }
    const errors = out.filter((l): l is Extract<AudienceLine, { type: 'error' }> => l.type === 'error');
    expect(errors).toHaveLength(40);
    const logged = fake.lines.filter((l) => l.level === 'error');
    const full = logged.filter((l) => l.msg === 'request failed');
    expect(full).toHaveLength(10);
    expect(full.map((l) => l.obj.errorId)).toEqual(errors.slice(0, 10).map((e) => e.errorId));
    const summaries = logged.filter((l) => l.msg !== 'request failed');
    expect(summaries).toHaveLength(1);
    expect(summaries[0].obj).toMatchObject({
      code: 'internal_subject',
      route: '/v1/decide/batch',
      faults: 30,
      kinds: [{ type: 'Error', message: 'connection terminated unexpectedly', count: 30 }],
      errorIds: errors.slice(10).map((e) => e.errorId),
    });
  });
});
