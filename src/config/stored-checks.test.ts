import pino from 'pino';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/**
 * A document stored by an earlier version of Tact (or written straight into the store) may not
 * pass the checks this version makes. It stays in force as stored — refusing to start would take
 * a shop's decisions down over a misspelt field — but the operator is told at start and on every
 * read, naming the field, so it can be fixed with one PUT.
 */
describe('stored documents are checked again against this version of Tact', () => {
  let h: Harness | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await h?.close();
    await store?.close();
    h = undefined;
    store = undefined;
  });

  async function storeWithOldSegments(): Promise<Store> {
    const s = await openSqliteStore({ path: ':memory:' });
    await s.migrate();
    // A misspelt field an earlier version took silently (it now leaves every audience out).
    await s.documents.put('segments', { audience: [{ name: 'buyers', when: 'traits.plan == "pro"' }] }, { author: 'old version', reason: 'written before the field checks' });
    return s;
  }

  it('a read of the kind answers the problems of the version in force, naming the field; a valid one answers none', async () => {
    store = await storeWithOldSegments();
    h = await harness('sqlite', { store });
    const get = async (kind: string) => (await h!.app.inject({ method: 'GET', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.server) } })).json();
    const doc = await get('segments');
    expect(doc.version).toBe(1);
    expect(doc.problems).toEqual([{ field: 'audience', message: expect.stringMatching(/Did you mean `audiences`\?/) }]);
    const list = (await h.app.inject({ method: 'GET', url: '/v1/config', headers: { authorization: bearer(KEYS.server) } })).json();
    expect(list.kinds.find((k: { kind: string }) => k.kind === 'segments').problems).toBe(1);
    expect(list.kinds.find((k: { kind: string }) => k.kind === 'features').problems).toBe(0);
    // Fixed with one PUT: the problems go.
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/segments', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { audiences: [{ name: 'buyers', when: 'traits.plan == "pro"' }] }, reason: 'fix the field name' } });
    expect(put.statusCode, put.body).toBe(200);
    expect((await get('segments')).problems).toEqual([]);
    expect((await get('features')).problems).toEqual([]);
  });

  it('a start logs a warning per kind whose stored version does not pass, naming the version and the field', async () => {
    store = await storeWithOldSegments();
    const lines: { level: number; kind?: string; version?: number; msg: string }[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).trim().split('\n')) lines.push(JSON.parse(l)); cb(); } });
    const { Tact } = await import('../server/tact.js');
    const tact = await Tact.create({ store, logger: pino({ level: 'info' }, sink), background: false });
    try {
      const warned = lines.filter((l) => l.level === 40 && l.kind === 'segments');
      expect(warned).toHaveLength(1);
      expect(warned[0].version).toBe(1);
      expect(warned[0].msg).toMatch(/The stored `segments` \(version 1\) does not pass this version's checks; it stays in force as stored until it is changed: audience: .*Did you mean `audiences`\?/);
      expect(lines.filter((l) => l.level === 40 && l.kind !== 'segments' && /does not pass/.test(l.msg))).toEqual([]);
    } finally {
      await tact.close();
    }
  });
});
