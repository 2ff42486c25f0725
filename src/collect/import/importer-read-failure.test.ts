import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { runImport } from './importer.js';
import { readFailure } from './read-failure.js';

/** A server storing each messageId once (answering the others as already stored); the ids stored and how often each was sent. */
async function server(): Promise<{ url: string; sent: Map<string, number>; close: () => void }> {
  const sent = new Map<string, number>();
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      if (req.url === '/health') return void res.end('{}');
      const batch = (JSON.parse(body) as { batch: { messageId: string }[] }).batch;
      let duplicates = 0;
      for (const m of batch) {
        if (sent.has(m.messageId)) duplicates += 1;
        sent.set(m.messageId, (sent.get(m.messageId) ?? 0) + 1);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, accepted: batch.length, duplicates, rejected: [] }));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, sent, close: () => s.close() };
}

const LINES = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ type: 'track', userId: 'gz', event: 'E', messageId: `gz-${i + 1}` }));

describe('tact import: a file that cannot be read to its end (a .gz cut short)', () => {
  let srv: Awaited<ReturnType<typeof server>>;
  const dir = testDir('tact-import-readfail-');
  beforeAll(async () => {
    srv = await server();
  });
  afterAll(() => srv.close());

  it('names the file and the line reached, imports the lines before, saves that progress, and goes on once the file is whole', async () => {
    // Until 2026-12-05: "tact: unexpected end of file", the lines read before it not sent.
    const file = join(dir, 'cut.jsonl.gz');
    const whole = gzipSync(Buffer.from(LINES.join('\n') + '\n'));
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const err = await runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w', batchSize: 100 }).then(() => undefined, (e: Error) => e);
    const said = /^(.*) cannot be read past line (\d+): its gzip data ends there \("unexpected end of file"\): the file is cut short — still being written or copied, or a download that stopped\. (?:Line \d+ is cut short there: it is not imported, and what was read of it is in .*\.rejected\.jsonl\.|.*\.rejected\.jsonl notes where it stops \(line \d+\)\.) Every line up to line (\d+) is imported and that progress is saved: once the file is whole, run the same command again to go on from line (\d+)\.$/.exec(err?.message ?? '');
    expect(said, err?.message).not.toBeNull();
    const [, named, reached, saved, next] = said as RegExpExecArray;
    expect(named).toBe(file);
    // Every line read whole is imported: the progress reaches the line the reading did.
    expect(Number(saved)).toBe(Number(reached));
    expect(Number(next)).toBe(Number(saved) + 1);
    expect(Number(saved)).toBeGreaterThan(0);
    expect(Number(saved)).toBeLessThan(3000);
    expect(JSON.parse(readFileSync(`${file}.tact-import.json`, 'utf8'))).toMatchObject({ line: Number(saved), done: false });
    expect(srv.sent.size).toBe(Number(saved));
    // The file whole again (the download finished): the same command goes on after the saved line.
    writeFileSync(file, whole);
    const s = await runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w', batchSize: 100 });
    expect(s).toMatchObject({ complete: true, resumedFrom: Number(saved), lines: 3000, accepted: 3000, duplicates: 0 });
    expect(srv.sent.size).toBe(3000);
    expect([...srv.sent.values()].every((n) => n === 1)).toBe(true);
  });

  it('says so when a .gz file ends before its first line does, nothing imported', async () => {
    const file = join(dir, 'short.jsonl.gz');
    const whole = gzipSync(Buffer.from(LINES.slice(0, 50).join('\n') + '\n'));
    writeFileSync(file, whole.subarray(0, 20));
    await expect(runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w' })).rejects.toThrow(
      `${file} cannot be read to the end of its first line: its gzip data ends there ("unexpected end of file"): the file is cut short — still being written or copied, or a download that stopped. ${file}.rejected.jsonl notes where it stops (line 1). No line was imported: once the file is whole, run the same command again.`);
    expect(readFileSync(`${file}.rejected.jsonl`, 'utf8')).toBe(`${JSON.stringify({ line: 1, reason: 'the input cannot be read to the end of its first line (its gzip data ends there ("unexpected end of file"): the file is cut short — still being written or copied, or a download that stopped): nothing from here on was imported', text: null })}\n`);
  });

  it('reports the line a .gz is cut short in — not imported, in the report and the error with the file and the last whole line — and imports it once the file is whole', async () => {
    // Until 2026-12-05 the half line was dropped without a trace in the report (exit 1 all the same).
    const lines = Array.from({ length: 5 }, (_, i) => JSON.stringify({ type: 'track', userId: 'half', event: 'E', messageId: `half-${i + 1}`, properties: { i: i + 1, pad: 'é'.repeat(40) } }));
    const whole = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    // The longest prefix of the gzip data that gunzips to lines 1–4 and part of line 5 (no line break after it).
    let cut = whole.length - 1;
    const upTo = (n: number) => gunzipSync(whole.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    while (cut > 0 && (upTo(cut).endsWith('\n') || upTo(cut).split('\n').length !== 5)) cut -= 1;
    const partial = upTo(cut).split('\n')[4].replace(/\uFFFD$/, '');
    expect(partial.length).toBeGreaterThan(0);
    const file = join(dir, 'half.jsonl.gz');
    writeFileSync(file, whole.subarray(0, cut));
    const err = await runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w' }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe(`${file} cannot be read past line 4: its gzip data ends there ("unexpected end of file"): the file is cut short — still being written or copied, or a download that stopped. Line 5 is cut short there: it is not imported, and what was read of it is in ${file}.rejected.jsonl. Every line up to line 4 is imported and that progress is saved: once the file is whole, run the same command again to go on from line 5.`);
    const sentIds = () => [...srv.sent.keys()].filter((id) => id.startsWith('half-'));
    expect(sentIds()).toEqual(['half-1', 'half-2', 'half-3', 'half-4']);
    const report = readFileSync(`${file}.rejected.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; reason: string; text: string | null });
    expect(report).toHaveLength(1);
    expect(report[0].line).toBe(5);
    expect(report[0].reason).toMatch(/^the line is cut short: the input cannot be read past line 4 \(its gzip data ends there/);
    // What was read of it, up to its last whole character (the cut may fall inside an "é").
    expect(lines[4].startsWith(report[0].text as string)).toBe(true);
    expect(report[0].text).toBe(partial.slice(0, (report[0].text as string).length));
    expect(JSON.parse(readFileSync(`${file}.tact-import.json`, 'utf8'))).toMatchObject({ line: 4, rejected: 0, done: false });
    // Whole again: the same command imports line 5 once, and the note of the cut line goes (no line is bad).
    writeFileSync(file, whole);
    const s = await runImport({ path: file, format: 'jsonl', url: srv.url, writeKey: 'w' });
    expect(s).toMatchObject({ complete: true, resumedFrom: 4, lines: 5, accepted: 5, rejected: 0 });
    expect(sentIds()).toEqual(['half-1', 'half-2', 'half-3', 'half-4', 'half-5']);
    expect(sentIds().every((id) => srv.sent.get(id) === 1)).toBe(true);
    expect(existsSync(`${file}.rejected.jsonl`)).toBe(false);
  });

  it('says a damaged .gz as damaged, and for stdin that no progress is saved', () => {
    const damaged = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' });
    expect(readFailure('/d/x.jsonl.gz', damaged, { reached: 0, saved: 0, stdin: false }).message).toBe('/d/x.jsonl.gz cannot be read to the end of its first line: its gzip data is damaged ("incorrect header check"). No line was imported: once the file is whole, run the same command again.');
    // Damaged mid-file: the lines before the error may be garbage, and the progress saved covers them — a whole copy goes in with --restart.
    const check = Object.assign(new Error('incorrect data check'), { code: 'Z_DATA_ERROR' });
    expect(readFailure('/d/x.jsonl.gz', check, { reached: 29878, saved: 29878, stdin: false }).message).toBe('/d/x.jsonl.gz cannot be read past line 29878: its gzip data is damaged ("incorrect data check"). gzip finds damage only at the end of the data, so the lines read before it may hold what the damage made of them (bad lines in the report from where it begins). Replace the file with a whole copy and run the same command with --restart: the lines stored before are recognised, not stored twice.');
    const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', syscall: 'read' });
    expect(readFailure('stdin', eio, { reached: 12, saved: 10, stdin: true }).message).toBe('stdin cannot be read past line 12: EIO: i/o error, read. Every line up to line 10 is imported; no progress is saved for stdin: send the whole input again once it can be read (the lines stored are recognised, not stored twice).');
  });
});
