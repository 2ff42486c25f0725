import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../../test/harness.js';
import { parseColumnMap } from './column-map.js';
import { runImport } from './importer.js';
import { testDir } from '../../../test/tmp.js';

describe('tact import', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-import-');
  beforeAll(async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }] } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('imports JSONL, reports bad lines with reasons, and resumes after an interruption without duplicates', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 1200; i++) {
      if (i === 7) lines.push('{not json');
      else if (i === 500) lines.push(JSON.stringify({ type: 'track', userId: 'imp-x' }));
      else if (i === 900) lines.push(JSON.stringify({ type: 'teleport', userId: 'imp-x' }));
      else lines.push(JSON.stringify({ type: 'track', userId: `imp-${i % 10}`, event: 'Order Completed', properties: { revenue: 1 }, timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
    }
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const first = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 100, concurrency: 3, stopAfterLines: 450 });
    expect(first.complete).toBe(false);
    expect(first.lines).toBeGreaterThanOrEqual(450);
    const second = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 100 });
    expect(second.complete).toBe(true);
    expect(second.resumedFrom).toBe(first.lines);
    expect(second.lines).toBe(1200); // the file's last line, not a sentinel
    expect(second.accepted).toBe(1197);
    expect(second.rejected).toBe(3);
    expect(await h.store.collect.countEvents()).toBe(1197);
    const report = readFileSync(second.reportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(report.map((r) => r.line).sort((a, b) => a - b)).toEqual([7, 500, 900]);
    expect(report.find((r) => r.line === 500).reason).toContain('`event`');
    let spend = 0;
    for (let u = 0; u < 10; u++) spend += (await get(h.app, `/v1/profiles/imp-${u}`)).json().features.spend.value;
    expect(spend).toBe(1197);
    // a third run of a finished import does nothing
    const third = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(third.accepted).toBe(1197);
    expect(await h.store.collect.countEvents()).toBe(1197);
  });

  it('says plainly when the file is not there', async () => {
    await expect(runImport({ path: join(dir, 'missing.jsonl'), format: 'jsonl', url, writeKey: KEYS.write })).rejects.toThrow(`There is no file ${join(dir, 'missing.jsonl')}.`);
  });

  it('imports CSV through a column map, converting types and reporting values that do not convert', async () => {
    const file = join(dir, 'orders.csv');
    writeFileSync(file, 'customer,amount,at,channel\ncsv-1,12.5,2026-02-01T10:00:00Z,web\ncsv-1,abc,2026-02-02T10:00:00Z,app\ncsv-2,7,2026-02-03T10:00:00Z,web\n');
    const map = parseColumnMap('userId=customer,properties.revenue=amount:number,timestamp=at:date,event=channel:string', 'track');
    const s = await runImport({ path: file, format: 'csv', map, url, writeKey: KEYS.write });
    expect(s.accepted).toBe(2);
    expect(s.rejected).toBe(1);
    const report = JSON.parse(readFileSync(s.reportPath, 'utf8').trim());
    expect(report.line).toBe(3);
    expect(report.reason).toContain('"abc" in column "amount" is not a number');
    const p = (await get(h.app, '/v1/profiles/csv-1')).json();
    expect(p.events.web.count).toBe(1);
  });

  it('authenticates with its own key: a line\'s `writeKey` (analytics.js\'s, since revoked) is not sent', async () => {
    const old = await h.tact.keys.create('write', 'the site\'s old key');
    await h.tact.keys.revoke(old.key.id);
    const file = join(dir, 'with-keys.jsonl');
    writeFileSync(file, [1, 2, 3].map((i) => JSON.stringify({ type: 'track', userId: 'wk-1', event: 'Viewed', messageId: `wk-${i}`, timestamp: '2026-01-01T00:00:00Z', ...(i === 2 ? { writeKey: old.secret } : {}) })).join('\n'));
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect([s.accepted, s.rejected]).toEqual([3, 0]);
    expect((await get(h.app, '/v1/profiles/wk-1')).json().eventCount).toBe(3);
  });

  it('keeps the time a Segment export line happened at, not the time of the import', async () => {
    const file = join(dir, 'export.jsonl');
    const at = (s: number) => new Date(Date.UTC(2024, 2, 1, 10, 0, s)).toISOString();
    writeFileSync(file, [
      // as Segment exports it: the client's clock 5 s slow, the time Segment computed in `timestamp`
      { type: 'track', event: 'Exported', userId: 'exp-1', messageId: 'exp-m1', originalTimestamp: at(0), sentAt: at(1), receivedAt: at(6), timestamp: at(5) },
      // as a client sent it, without the time it was received
      { type: 'track', event: 'Captured', userId: 'exp-1', messageId: 'exp-m2', timestamp: at(10), sentAt: at(11) },
    ].map((m) => JSON.stringify(m)).join('\n'));
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(s.accepted).toBe(2);
    const events = (await get(h.app, '/v1/profiles/exp-1')).json().events;
    expect(events.Exported.first).toBe(at(5));
    expect(events.Captured.first).toBe(at(10));
    // A receipt time that is no time: the line is reported naming it, not corrected against the import's own clock (months on).
    const bad = join(dir, 'export-bad.jsonl');
    writeFileSync(bad, JSON.stringify({ type: 'track', event: 'Garbled', userId: 'exp-2', messageId: 'exp-m3', timestamp: at(0), sentAt: at(5), receivedAt: 'garbage' }));
    const refused = await runImport({ path: bad, format: 'jsonl', url, writeKey: KEYS.write });
    expect([refused.accepted, refused.rejected]).toEqual([0, 1]);
    expect(JSON.parse(readFileSync(refused.reportPath, 'utf8').trim()).reason).toMatch(/^The `receivedAt` "garbage" is not a time/);
    expect((await get(h.app, '/v1/profiles/exp-2')).statusCode).toBe(404);
  });
  it('refuses a CSV file whose header lacks a mapped column before writing or sending anything', async () => {
    const file = join(dir, 'nomatch.csv');
    writeFileSync(file, 'customer,kind\nnm-1,E\nnm-2,E\n');
    const before = await h.store.collect.countEvents();
    await expect(runImport({ path: file, format: 'csv', map: parseColumnMap('userId=user,event=kind'), url, writeKey: KEYS.write }))
      .rejects.toThrow(`${file}: The column map names the column "user", which the header lacks (its columns: "customer", "kind").`);
    expect(existsSync(`${file}.tact-import.json`)).toBe(false);
    expect(existsSync(`${file}.rejected.jsonl`)).toBe(false);
    expect(await h.store.collect.countEvents()).toBe(before);
  });
});
