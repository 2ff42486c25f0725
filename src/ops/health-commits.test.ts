import { mkdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';

/** How many transactions `tact_store_commit_duration_seconds{phase}` has observed. */
async function commits(h: Harness, phase: 'write' | 'commit'): Promise<number> {
  const text = (await h.app.inject({ url: '/metrics' })).body;
  return Number(new RegExp(`^tact_store_commit_duration_seconds_count\\{phase="${phase}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

/**
 * GET /health on the embedded store sends an empty transaction through the writer (it must fail
 * once the writer has stopped: src/ops/health.test.ts). A load balancer reads /health every few
 * seconds; were those empty transactions timed into `tact_store_commit_duration_seconds`, the
 * operators' commit latency would be the probes' (nothing to write, nothing to flush) as much as
 * the acknowledgements'. The probe's own latency is in
 * `tact_http_request_duration_seconds{route="/health"}`.
 */
describe('GET /health and the store commit histogram', () => {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close().catch(() => undefined);
  });

  it('adds no commit for a probe (embedded store, a file: the writer thread)', async () => {
    const path = join(testDir('tact-health-commits-'), 'tact.db');
    const store = await openSqliteStore({ path });
    const h = await harness('sqlite', { store });
    open.push({ ...h, close: async () => { await h.close(); await store.close(); } });
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'A' })).statusCode).toBe(200);
    const before = [await commits(h, 'write'), await commits(h, 'commit')];
    expect(before[1]).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    expect([await commits(h, 'write'), await commits(h, 'commit')]).toEqual(before);
    // A write still counts.
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'B' })).statusCode).toBe(200);
    expect(await commits(h, 'commit')).toBeGreaterThan(before[1]);
  });

  it('adds no commit for a probe (embedded store in memory: the inline writer)', async () => {
    const h = await harness('sqlite');
    open.push(h);
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'A' })).statusCode).toBe(200);
    const before = await commits(h, 'commit');
    for (let i = 0; i < 3; i++) expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    expect(await commits(h, 'commit')).toBe(before);
  });

  it('adds no 0-second commit for writes or probes a stopped writer refuses', async () => {
    const path = join(testDir('tact-health-commits-'), 'tact.db');
    const wal = `${path}-wal`;
    const store = await openSqliteStore({ path });
    const h = await harness('sqlite', { store });
    open.push({ ...h, close: async () => { try { rmdirSync(wal); } catch { /* gone */ } await h.close(); await store.close().catch(() => undefined); } });
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'A' })).statusCode).toBe(200);
    // The disk fails under the writer (as in src/ops/health.test.ts): the next flush fails and the writer stops.
    rmSync(wal);
    mkdirSync(wal);
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'B' })).statusCode).toBeGreaterThanOrEqual(500);
    const before = await commits(h, 'commit');
    // Refused without a transaction: nothing was written, nothing was timed.
    expect((await send(h.app, '/v1/track', { userId: 'ana', event: 'C' })).statusCode).toBeGreaterThanOrEqual(500);
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(503);
    expect(await commits(h, 'commit')).toBe(before);
  });
});
