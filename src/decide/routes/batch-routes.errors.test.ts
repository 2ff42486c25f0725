import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, send } from '../../../test/harness.js';
import { catalogue } from '../../errors/catalogue.js';
import { TactError } from '../../errors/tact-error.js';
import { buildApp } from '../../server/app.js';
import { Tact } from '../../server/tact.js';
import { isRetryableStoreError } from '../../store/open.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { shopConfig } from '../fixtures.js';

/**
 * The error lines of POST /v1/decide/batch: an unexpected fault is told with the catalogue's
 * sentence and an error id, its own message (paths, SQL, values) going to the log only; a
 * TactError keeps its sentence.
 */
describe('error lines of the batch decisions stream', () => {
  const lines: string[] = [];
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false, isRetryable: isRetryableStoreError, configFile: { path: 'test-config', sections: shopConfig() } });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    app = await buildApp(tact);
    for (const u of ['u0', 'u1', 'u2']) await send(app, '/v1/identify', { userId: u, traits: { tier: 'gold' } });
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });

  const run = async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/decide/batch', headers: { authorization: bearer() }, payload: { placement: 'weekly-email', audience: 'true' } });
    expect(r.statusCode, r.body).toBe(200);
    return r.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const logged = (errorId: unknown) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.errorId === errorId);

  it('tells a decision that failed unexpectedly with the catalogue\'s sentence, and logs the fault', async () => {
    const decider = tact.decide.decider;
    const decide = decider.decide.bind(decider);
    let calls = 0;
    decider.decide = async (req) => {
      calls += 1;
      if (calls === 1) throw new Error('relation "decisions" does not exist at /srv/tact/decide.ts:12');
      if (calls === 2) throw new TactError('overloaded');
      return decide(req);
    };
    try {
      const errors = (await run()).filter((l) => l.type === 'error');
      expect(errors).toHaveLength(2);
      // Not `internal`, whose "nothing was changed by this request" a stream that went on belies.
      const internal = errors.find((e) => e.error === 'internal_subject');
      expect(internal?.message).toBe(catalogue.internal_subject.message.replace('{errorId}', String(internal?.errorId)));
      expect(JSON.stringify(errors)).not.toMatch(/relation|srv|decide\.ts/);
      expect(logged(internal?.errorId)).toMatchObject({ level: 50, err: { message: expect.stringContaining('relation "decisions"') } });
      // A TactError keeps its own sentence.
      expect(errors.find((e) => e.error === 'overloaded')?.message).toBe(new TactError('overloaded').message);
    } finally {
      decider.decide = decide;
    }
  });

  it('tells a stream that broke off unexpectedly with the catalogue\'s sentence, and logs the fault', async () => {
    const profiles = tact.store.decisions;
    const page = profiles.profileIds.bind(profiles);
    let calls = 0;
    profiles.profileIds = async (after, limit) => {
      calls += 1;
      if (calls > 1) throw new Error('SQLITE_CORRUPT: database disk image is malformed (/var/lib/tact/tact.db)');
      return page(after, limit);
    };
    try {
      const all = await run();
      const last = all.at(-1) as Record<string, unknown>;
      expect(last).toMatchObject({ type: 'error', error: 'internal_stream', errorId: expect.any(String) });
      expect(last.message).toBe(catalogue.internal_stream.message.replace('{errorId}', String(last.errorId)));
      expect(JSON.stringify(all)).not.toMatch(/SQLITE|malformed|var\/lib/);
      expect(logged(last.errorId)).toMatchObject({ level: 50, err: { message: expect.stringContaining('SQLITE_CORRUPT') } });
    } finally {
      profiles.profileIds = page;
    }
  });
});
