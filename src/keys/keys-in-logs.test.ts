import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../server/app.js';
import { Tact } from '../server/tact.js';
import { isRetryableStoreError } from '../store/open.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/**
 * docs/keys.md: "No answer and no log line quotes a key." A body that is not JSON is answered (and
 * logged, at info) with where it stops being JSON; Node's parser says so for some faults by quoting
 * the text around the fault — the whole body when it is short — and analytics.js puts the write key
 * in the body. A key someone chose (`TACT_WRITE_KEY=dev-write`, docs/keys.md) is short.
 */
describe('a body that is not JSON, carrying a write key', () => {
  const W = 'dev-write-7';
  const lines: string[] = [];
  let store: Store;
  let tact: Tact;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    store = await openSqliteStore({ path: ':memory:' });
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    tact = await Tact.create({ store, logger: pino({ level: 'trace' }, sink), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: W });
    app = await buildApp(tact);
  });
  afterAll(async () => {
    await app.close();
    await tact.close();
    await store.close();
  });

  it('is answered 400 saying where it stops being JSON, and neither the answer nor the log quotes the key', async () => {
    const bodies = [
      `{"userId":"u","event":"A","writeKey":"${W}","a":x}`,
      `{"writeKey":"${W}","userId":tru}`,
      `{"writeKey":"${W}","a":x}`,
      `{"batch":[{"type":"track","userId":"u","event":"A"}],"writeKey":"${W}"}}`,
      `{"batch":[],"writeKey":"${W}","sentAt":-}`,
    ];
    for (const payload of bodies) {
      for (const [url, type] of [['/v1/track', 'text/plain'], ['/v1/track', 'application/json'], ['/v1/batch', 'text/plain'], ['/v1/batch', 'application/json']]) {
        const r = await app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
        expect([r.statusCode, r.json().error], `${url} ${payload}`).toEqual([400, 'invalid_json']);
        expect(r.json().message, `${url} ${payload}`).toMatch(/position \d+\.$/);
        expect(r.body, `${url} ${payload}`).not.toContain(W.slice(-4)); // nor any of it
      }
    }
    const log = lines.join('');
    expect(log).toContain('invalid_json');
    expect(log).not.toContain(W.slice(-4));
  });
});
