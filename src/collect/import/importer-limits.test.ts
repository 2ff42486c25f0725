import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { MAX_MESSAGE_BYTES } from '../normalize.js';
import { parseColumnMap } from './column-map.js';
import { runImport } from './importer.js';

const track = (user: string) => JSON.stringify({ type: 'track', userId: user, event: 'Viewed' });
/** A message padded in `properties.pad` to exactly `bytes` of JSON. */
const sized = (bytes: number, m: Record<string, unknown>) => {
  const base = Buffer.byteLength(JSON.stringify({ ...m, properties: { pad: '' } }));
  return JSON.stringify({ ...m, properties: { pad: 'x'.repeat(bytes - base) } });
};

describe('tact import: sizes, empty files and what is left behind', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-import-limits-');
  beforeAll(async () => {
    h = await harness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('stops at a CSV record that runs past 1 MB, naming its line, with the lines before imported, and goes on from it once mended', async () => {
    const file = join(dir, 'unclosed.csv');
    const rows = Array.from({ length: 600 }, (_, i) => `uc${i % 5},Viewed,${'x'.repeat(2000)}`);
    writeFileSync(file, ['user,event,note', 'uc-a,E,', 'uc-b,"Order,', ...rows].join('\n') + '\n');
    const map = parseColumnMap('userId=user,event=event', 'track', 'ignore');
    const before = await h.store.collect.countEvents();
    await expect(runImport({ path: file, format: 'csv', map, url, writeKey: KEYS.write })).rejects.toThrow(
      `${file}: the record that starts on line 3 runs past 1 MB`);
    expect((await h.store.collect.countEvents()) - before).toBe(1);
    expect(JSON.parse(readFileSync(`${file}.tact-import.json`, 'utf8'))).toMatchObject({ line: 2, accepted: 1, rejected: 0 });
    expect(readFileSync(`${file}.rejected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l).line)).toEqual([3]);
    writeFileSync(file, ['user,event,note', 'uc-a,E,', 'uc-b,"Order",', ...rows].join('\n') + '\n');
    const again = await runImport({ path: file, format: 'csv', map, url, writeKey: KEYS.write });
    expect(again).toMatchObject({ complete: true, resumedFrom: 2, accepted: 602, rejected: 0 });
    expect((await h.store.collect.countEvents()) - before).toBe(602);
  });

  it('writes bad lines out as it goes, a batch\'s worth at a time, even when no line of the file is good', async () => {
    const file = join(dir, 'all-bad.jsonl');
    writeFileSync(file, Array.from({ length: 1_250 }, (_, i) => `{"type":"track","userId":"ab${i}"`).join('\n') + '\n');
    const seen: number[] = [];
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 500, onProgress: (p) => seen.push(p.rejected) });
    expect(s).toMatchObject({ complete: true, accepted: 0, rejected: 1_250 });
    // Before: one report at the very end (and every bad line held in memory until then).
    expect(seen.filter((n) => n > 0 && n < 1_250).length).toBeGreaterThanOrEqual(2);
  });

  it('measures a message as it is sent, after the time correction, and reports one over 32 KB itself, storing the rest of its batch', async () => {
    const file = join(dir, 'margin.jsonl');
    // Within 32 KB as written; the correction adds a `timestamp` longer than the `sentAt` it drops.
    const line = sized(MAX_MESSAGE_BYTES, { type: 'track', userId: 'mg-1', event: 'Viewed', messageId: 'mg-1', sentAt: '2024-03-01T10:00:01Z', receivedAt: '2024-03-01T10:00:06Z' });
    expect(Buffer.byteLength(line)).toBe(MAX_MESSAGE_BYTES);
    writeFileSync(file, [track('mg-2'), line, track('mg-3')].join('\n') + '\n');
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(s).toMatchObject({ complete: true, accepted: 2, rejected: 1 });
    const [bad] = readFileSync(s.reportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(bad.line).toBe(2);
    expect(bad.reason).toMatch(/^A single message may be at most 32 KB; this one is 3277\d bytes\. The line is 32768 bytes: what the import adds/);
  });

  it('says what the messageId it adds does to a line just within 32 KB', async () => {
    const file = join(dir, 'noid.jsonl');
    writeFileSync(file, sized(MAX_MESSAGE_BYTES - 10, { type: 'track', userId: 'mg-4', event: 'Viewed' }) + '\n');
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(s).toMatchObject({ accepted: 0, rejected: 1 });
    expect(JSON.parse(readFileSync(s.reportPath, 'utf8')).reason).toContain(`The line is ${MAX_MESSAGE_BYTES - 10} bytes: what the import adds`);
  });

  it('leaves no report file when no line was bad', async () => {
    const file = join(dir, 'clean.jsonl');
    writeFileSync(file, [track('cl-1'), track('cl-2')].join('\n') + '\n');
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 1, concurrency: 1, stopAfterLines: 1 });
    expect(s.complete).toBe(false);
    expect(existsSync(s.reportPath)).toBe(false);
    const rest = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(rest).toMatchObject({ complete: true, accepted: 2, rejected: 0 });
    expect(existsSync(rest.reportPath)).toBe(false);
  });

  for (const [name, text, format] of [
    ['empty.jsonl', '', 'jsonl'],
    ['blank.jsonl', '\n  \r\n\n', 'jsonl'],
    ['empty.csv', '', 'csv'],
    ['header.csv', 'user,event\r\n\r\n', 'csv'],
  ] as const) {
    it(`says plainly that ${name} holds no messages, leaving nothing behind`, async () => {
      const file = join(dir, name);
      writeFileSync(file, text);
      await expect(runImport({ path: file, format, map: format === 'csv' ? parseColumnMap('userId=user,event=event') : undefined, url, writeKey: KEYS.write }))
        .rejects.toThrow(new Error(`${file} holds no messages.`));
      expect(existsSync(`${file}.tact-import.json`)).toBe(false);
      expect(existsSync(`${file}.rejected.jsonl`)).toBe(false);
    });
  }
});
