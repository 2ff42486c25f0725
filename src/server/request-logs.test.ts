import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer } from '../../test/harness.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { isRetryableStoreError } from '../store/open.js';
import type { Store } from '../store/store.js';
import { buildApp } from './app.js';
import { ClientErrors } from './client-errors.js';
import { serverTimeouts } from './timeouts.js';
import { Tact } from './tact.js';

/**
 * What the server logs of a refused or failed request names the route, not the path or query it
 * was asked with: a path holds identifiers (an e-mail in /v1/profiles/email:…), a query may too.
 * The error id is logged, so an operator finds the line an answer speaks of.
 */
describe('the log of refused and failed requests', () => {
  const lines: string[] = [];
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const logged = () => lines.join('');
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'trace' }, sink), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    app = await buildApp(tact);
    // As PostgreSQL's errors carry the row's values in `detail`.
    // It reads a `token` (every other parameter is refused by name: input-guard.ts refuseUnreadQuery).
    app.get('/v1/failing/:who', { schema: { querystring: { type: 'object', properties: { token: { type: 'string' } } } } }, async () => { throw Object.assign(new Error('duplicate key value violates unique constraint "profiles_pkey"'), { code: '23505', detail: 'Key (id)=(carl@example.net) already exists.' }); });
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });

  it('names the route pattern and the error id, never the identifier in the path nor a query value', async () => {
    lines.length = 0;
    const r = await app.inject({ url: '/v1/profiles/email:ana@example.com?events=5', headers: { authorization: bearer(KEYS.server) } });
    expect(r.statusCode).toBe(404);
    // A parameter the route does not take is refused naming it, not quoting its value.
    const unknown = await app.inject({ url: '/v1/profiles/u1?fields=zoe@example.org', headers: { authorization: bearer(KEYS.server) } });
    expect(unknown.statusCode).toBe(400);
    const failed = await app.inject({ url: '/v1/failing/bob@example.com?token=zoe@example.org' });
    expect(failed.statusCode).toBe(500);
    const log = logged();
    expect(log).not.toMatch(/ana|bob|zoe|carl|example\.(com|org|net)/);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.find((e) => e.errorId === r.json().errorId)).toMatchObject({ code: 'not_found', method: 'GET', route: '/v1/profiles/:identifier', status: 404 });
    // The fault's type, message, code and stack stay, for the operator.
    expect(entries.find((e) => e.errorId === failed.json().errorId)).toMatchObject({ method: 'GET', route: '/v1/failing/:who', status: 500, err: { type: 'Error', message: expect.stringContaining('unique constraint'), code: '23505', stack: expect.any(String) } });
  });

  it('names no field value of a body refused', async () => {
    lines.length = 0;
    const r = await app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server) }, payload: { subject: 'email:ana@example.com', placement: 'nowhere-ana@example.com' } });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    expect(logged()).toContain(r.json().errorId);
    expect(logged()).not.toMatch(/ana|example\.com/);
  });

  it('names no client address for a request the HTTP parser refused (an address is personal data)', () => {
    const seen: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { seen.push(String(chunk)); done(); } });
    const errors = new ClientErrors(serverTimeouts({}), pino({ level: 'trace' }, sink));
    const socket = { destroyed: false, writable: false, remoteAddress: '203.0.113.7', destroy: () => undefined };
    errors.handler(Object.assign(new Error('Parse Error: Invalid method encountered'), { code: 'HPE_INVALID_METHOD', reason: 'Invalid method encountered', bytesParsed: 0, rawPacket: { type: 'Buffer', data: [] } }), socket as never);
    const entry = JSON.parse(seen.join('')) as Record<string, unknown>;
    expect(entry).toMatchObject({ code: 'malformed_request', errorId: expect.any(String) });
    expect(seen.join('')).not.toContain('203.0.113.7');
  });
});
