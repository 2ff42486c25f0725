import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../../test/harness.js';
import { isDiskFull } from './disk-full.js';
import type { SqliteStore } from './sqlite-store.js';

/**
 * The embedded store's disk full, simulated with SQLite's own limit: `max_page_count` at the
 * database's size makes every write that needs a new page fail with SQLITE_FULL ("database or disk
 * is full"), as a full disk does; raising it is the space freed. An in-memory store writes on its
 * own connection, so the limit reaches its writer.
 */
describe('writes on the embedded store while its disk is full', () => {
  let h: Harness;
  let store: SqliteStore;
  beforeAll(async () => {
    h = await harness('sqlite');
    store = h.store as SqliteStore;
  });
  afterAll(async () => {
    store.db.pragma('max_page_count = 1073741823');
    await h.close();
  });
  // 8 KB of traits, each of its own profile: each event, and each profile's state at the next
  // checkpoint, needs pages of its own.
  const track = (id: string) => send(h.app, '/v1/identify', { userId: `u-${id}`, messageId: id, traits: { pad: 'x'.repeat(8_000) } });
  const stored = (id: string) => store.db.prepare('SELECT count(*) FROM events WHERE message_id = ?').pluck().get(id);

  it('answers 507 store_full saying nothing was stored, /health 503 until a write commits, and takes the first write after space is freed (a 500 internal, /health ok, and the first write after still a 500 until 2026-12-05)', async () => {
    expect((await track('before')).statusCode).toBe(200);
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
    // Until the pages the database already has are used up.
    const acknowledged = ['before'];
    let refused: Awaited<ReturnType<typeof track>> | undefined;
    let id = '';
    for (let i = 0; i < 50 && !refused; i++) {
      id = `m${i}`;
      const r = await track(id);
      if (r.statusCode === 200) acknowledged.push(id);
      else refused = r;
    }
    expect([refused?.statusCode, refused?.json().error], refused?.body).toEqual([507, 'store_full']);
    expect(refused?.json().message).toMatch(/^The disk of the store's data folder \(TACT_DATA_DIR\) is full, so nothing of this request was stored/);
    expect(stored(id)).toBe(0);
    const health = await h.app.inject({ url: '/health' });
    expect([health.statusCode, health.json().status]).toEqual([503, 'store full']);
    expect(health.json().message).toContain('TACT_DATA_DIR');
    // Still full: refused again, the same way (the profile states rebuilt from the log after the
    // failure could not be written either, and the writes after them were refused).
    expect((await track(id)).statusCode).toBe(507);

    store.db.pragma('max_page_count = 1073741823'); // space freed
    // /health tries a write of its own: no request need succeed first (a balancer sends none while it fails).
    expect((await h.app.inject({ url: '/health' })).json().status).toBe('ok');
    const again = await track(id);
    expect(again.statusCode, again.body).toBe(200);
    expect(stored(id)).toBe(1);
    // Nothing acknowledged was lost.
    for (const a of acknowledged) expect(stored(a), a).toBe(1);
  });
});

describe('isDiskFull', () => {
  it('knows SQLite\'s SQLITE_FULL by its code or by the message the writer thread passes on, and the system\'s ENOSPC', () => {
    expect(isDiskFull(new Error('database or disk is full'))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('an earlier write of this chain failed'))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });
});
