import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { parseColumnMap } from './column-map.js';
import { readRecords, type ImportRecord } from './read-records.js';

const dir = testDir('tact-read-records-');
let n = 0;
async function read(text: string, format: 'jsonl' | 'csv', map = parseColumnMap('userId=user,event=event', 'track')): Promise<ImportRecord[]> {
  const file = join(dir, `f${n++}.${format}`);
  writeFileSync(file, text);
  const out: ImportRecord[] = [];
  for await (const r of readRecords(file, format, format === 'csv' ? map : undefined)) out.push(r);
  return out;
}
const brief = (rs: ImportRecord[]) => rs.map((r) => ({ line: r.line, ok: !r.error, user: r.message?.userId }));

describe('reading an import file', () => {
  it('reads a JSONL file that starts with a UTF-8 byte order mark', async () => {
    const rs = await read('\uFEFF{"type":"track","userId":"u1","event":"E"}\r\n{"type":"track","userId":"u2","event":"E"}', 'jsonl');
    expect(brief(rs)).toEqual([{ line: 1, ok: true, user: 'u1' }, { line: 2, ok: true, user: 'u2' }]);
  });

  it('numbers a CSV record by the line it starts on, across quoted line breaks and blank lines', async () => {
    const rs = await read('user,event\nu1,"Order\nCompleted"\n\nu2,Viewed\nu3,"a\n\nb"\nu4,Last', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 5, ok: true, user: 'u2' }, { line: 6, ok: true, user: 'u3' }, { line: 9, ok: true, user: 'u4' }]);
  });

  it('numbers CSV records right with CRLF line endings and quoted CRLF line breaks', async () => {
    const rs = await read('user,event\r\nu1,"Order\r\nCompleted"\r\nu2,Viewed\r\nu3,E\r\n', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 4, ok: true, user: 'u2' }, { line: 5, ok: true, user: 'u3' }]);
    expect(rs[0].message?.event).toBe('Order\r\nCompleted');
  });

  it('reports a CSV row that is not valid CSV and goes on with the next rows', async () => {
    const rs = await read('user,event\nu1,E\nu2,Order "big" Completed"\nu3,E\n', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 3, ok: false, user: undefined }, { line: 4, ok: true, user: 'u3' }]);
    expect(rs[1].error).toContain('not valid CSV');
  });

  it('reports a CSV row whose field count differs from the header instead of storing shifted or dropped values', async () => {
    const rs = await read('user,event,plan\nu1,Order, Completed,pro\nu2,E\nu3,E,pro\n', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: false, user: undefined }, { line: 3, ok: false, user: undefined }, { line: 4, ok: true, user: 'u3' }]);
    expect(rs[0].error).toBe('the row has 4 fields where the header has 3 columns');
    expect(rs[1].error).toBe('the row has 2 fields where the header has 3 columns');
  });

  it('keeps CSV line numbers right through a file read in many chunks', async () => {
    const rows: string[] = ['user,event'];
    const expected: number[] = [];
    let line = 2;
    for (let i = 0; i < 6000; i++) {
      expected.push(line);
      rows.push(i % 7 === 0 ? `u${i},"Viewed\r\nPage ${'x'.repeat(i % 40)}"` : `u${i},E${'y'.repeat(i % 30)}`);
      line += i % 7 === 0 ? 2 : 1;
    }
    const rs = await read(rows.join('\r\n') + '\r\n', 'csv');
    expect(rs.every((r) => !r.error)).toBe(true);
    expect(rs.map((r) => r.line)).toEqual(expected);
  });

  it('reports each bad CSV row once, an unclosed quote at the end included', async () => {
    const rs = await read('user,event\r\nu1,a"b\r\nu2,E\r\nu3,c"d\r\nu4,"open\r\nu5,E\r\nu6,E\r\n', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: false, user: undefined }, { line: 3, ok: true, user: 'u2' }, { line: 4, ok: false, user: undefined }, { line: 5, ok: false, user: undefined }]);
    expect(rs[3].error).toBe('the row is not valid CSV (a quoted field opened here is never closed)');
  });

  it('reads CSV with classic Mac line endings, or with a header line ending apart from the rows', async () => {
    expect(brief(await read('user,event\ru1,"a\rb"\ru2,E\r', 'csv'))).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 4, ok: true, user: 'u2' }]);
    const mixed = await read('user,event\nu1,"Order Completed"\r\nu2,E\r\n', 'csv');
    expect(brief(mixed)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 3, ok: true, user: 'u2' }]);
    expect(mixed[1].message?.event).toBe('E');
  });

  it('fails with the reason when a gzipped CSV file is cut short, instead of crashing', async () => {
    const file = join(dir, 'cut.csv.gz');
    const whole = gzipSync(Buffer.from('user,event\n' + Array.from({ length: 2000 }, (_, i) => `u${i},E${i}`).join('\n')));
    writeFileSync(file, whole.subarray(0, whole.length - 40));
    const read = async () => {
      for await (const r of readRecords(file, 'csv', parseColumnMap('userId=user,event=event', 'track'))) expect(r.line).toBeGreaterThan(1);
    };
    await expect(read()).rejects.toThrow('unexpected end of file');
  });
});
