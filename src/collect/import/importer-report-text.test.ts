import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { parseColumnMap } from './column-map.js';
import { runImport } from './importer.js';
import { REPORT_TEXT_BYTES } from './report-entry.js';

/** A server taking every message but those of user "refused", which it rejects as the collection API would. */
async function server(): Promise<{ url: string; close: () => void }> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      if (req.url === '/health') return void res.end('{}');
      const batch = (JSON.parse(body) as { batch: { userId?: string }[] }).batch;
      const rejected = batch.flatMap((m, index) => (m.userId === 'refused' ? [{ index, problems: [{ field: 'userId', message: 'refused here' }] }] : []));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, accepted: batch.length - rejected.length, duplicates: 0, rejected }));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, close: () => s.close() };
}

type Entry = { line: number; reason: string; text: string | null; cut?: true; bytes?: number; encoding?: string };
const entries = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry);

describe('tact import: the report holds each bad line\'s text', () => {
  let srv: { url: string; close: () => void };
  const dir = testDir('tact-import-report-');
  beforeAll(async () => {
    srv = await server();
  });
  afterAll(() => srv.close());

  it('writes the text of every bad JSONL line, cut at 64 KB saying so, a line not UTF-8 as Latin-1 (until 2026-12-05: its line and reason only)', async () => {
    const ok = '{"type":"track","userId":"u1","event":"E","messageId":"rt-1"}';
    // 40 KB: over the 32 KB limit, kept whole; 100 KB with a 3-byte character across the cut; 2 MB: not held, its start kept.
    const big = (n: number, fill: string) => JSON.stringify({ type: 'track', userId: 'u1', event: 'E', properties: { x: fill.repeat(n) } });
    const forty = big(40_000, 'a');
    const hundred = big(50_000, 'aé€');
    const huge = big(2_000_000, 'b');
    const latin = Buffer.concat([Buffer.from('{"userId":"M'), Buffer.from([0xfc]), Buffer.from('ller"}')]);
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from([ok, '{not json', '{"type":"track","userId":"refused","event":"E"}', forty, hundred, huge].join('\n') + '\n'), latin, Buffer.from('\n')]));
    const s = await runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w' });
    expect(s).toMatchObject({ accepted: 1, rejected: 6 });
    const r = entries(s.reportPath);
    expect(r.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(r[0]).toMatchObject({ text: '{not json' });
    // The server's sentence is the reason, as the import's own checks give theirs (until 2026-12-06 "the server rejected the message").
    expect(r[1]).toMatchObject({ reason: 'refused here', text: '{"type":"track","userId":"refused","event":"E"}' });
    expect(r[2]).toEqual(expect.objectContaining({ text: forty }));
    expect(r[2].cut).toBeUndefined();
    for (const [e, whole] of [[r[3], hundred], [r[4], huge]] as const) {
      expect(e).toMatchObject({ cut: true, bytes: Buffer.byteLength(whole) });
      expect(Buffer.byteLength(e.text as string)).toBeLessThanOrEqual(REPORT_TEXT_BYTES);
      expect(Buffer.byteLength(e.text as string)).toBeGreaterThan(REPORT_TEXT_BYTES - 3);
      expect(whole.startsWith(e.text as string)).toBe(true);
    }
    expect(r[5]).toMatchObject({ encoding: 'latin1' });
    expect(Buffer.from(r[5].text as string, 'latin1')).toEqual(latin);
  });

  it('writes a bad CSV record as a line of CSV again; a row that is not CSV has no text', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'user;kind;amount;note\nc1;E;1;x\nc2;E;1,5;"a; b"\nc3;E\nrefused;E;3;"say ""hi""\nagain"\nc4;E;2;"never closed\n');
    const map = parseColumnMap('userId=user,event=kind,properties.amount=amount:number');
    const s = await runImport({ path: file, format: 'csv', delimiter: ';', map, url: srv.url, writeKey: 'w' });
    expect(entries(s.reportPath).map((e) => [e.line, e.text])).toEqual([
      [3, 'c2;E;1,5;"a; b"'],
      [4, 'c3;E'],
      [5, 'refused;E;3;"say ""hi""\nagain"'],
      [7, null],
    ]);
  });
});
