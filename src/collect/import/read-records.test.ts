import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { parseColumnMap } from './column-map.js';
import { readRecords, type ImportRecord } from './read-records.js';

const dir = testDir('tact-read-records-');
let n = 0;
async function read(text: string | Buffer, format: 'jsonl' | 'csv', map = parseColumnMap('userId=user,event=event', 'track')): Promise<ImportRecord[]> {
  const file = join(dir, `f${n++}.${format}`);
  writeFileSync(file, text);
  const out: ImportRecord[] = [];
  // The header comes as a record of its own (for the importer's check of a changed file).
  for await (const r of readRecords(file, format, format === 'csv' ? map : undefined)) if (!r.header) out.push(r);
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

  it('keeps quotes inside a field that is not quoted as the text they are, and goes on with the next rows', async () => {
    // Until 2026-12-05 such a row was refused as not valid CSV; a quote that closed nowhere (`"x"y`) lost every row after it.
    const rs = await read('user,event\nu1,E\nu2,Order "big" Completed"\nu3,E\n', 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 3, ok: true, user: 'u2' }, { line: 4, ok: true, user: 'u3' }]);
    expect(rs[1].message?.event).toBe('Order "big" Completed"');
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

  it('keeps a quote that does not open or close a field as text, and says an unclosed one took the rest of the file', async () => {
    // Strict CSV refused `a"b`, and after `"x"y` (a quote that closes nowhere) stayed inside the field: every row after it was lost unreported.
    const rs = await read('user,event\r\nu1,a"b\r\nu2,E\r\nu3,"x"y\r\nu4,E\r\nu5,"open\r\nu6,E\r\nu7,E\r\n', 'csv');
    expect(brief(rs)).toEqual([
      { line: 2, ok: true, user: 'u1' }, { line: 3, ok: true, user: 'u2' }, { line: 4, ok: true, user: 'u3' }, { line: 5, ok: true, user: 'u4' }, { line: 6, ok: false, user: undefined },
    ]);
    expect(rs.map((r) => r.text).slice(0, 3)).toEqual(['["u1","a\\"b"]', '["u2","E"]', '["u3","\\"x\\"y"]']);
    expect(rs[4].error).toBe('the row is not valid CSV (a quoted field opened here is never closed, so every line after it, to the end of the file, was read into that field and none of them was imported: close the quote and import the file again with --restart (the lines stored before are recognised, not stored twice))');
  });

  it('stops at a CSV record that runs past 1 MB (a quote never closed), naming the line it starts on, without reading the rest of the file', async () => {
    const rows = Array.from({ length: 60000 }, (_, i) => `u${i},Event ${i} ${'x'.repeat(60)}`);
    const text = ['user,event', 'u1,E', '', 'u2,"Order', ...rows].join('\n') + '\n';
    const rs = await read(text, 'csv');
    // Nothing after it: the parser cannot tell where the record would end.
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 4, ok: false, user: undefined }]);
    expect(rs[1].stop).toBe(true);
    expect(rs[1].error).toContain('the record that starts on this line runs past 1 MB');
    expect(rs[1].bytes).toBeLessThan(text.length / 2);
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
      for await (const r of readRecords(file, 'csv', parseColumnMap('userId=user,event=event', 'track'))) expect(r.line).toBeGreaterThan(r.header ? 0 : 1);
    };
    await expect(read()).rejects.toThrow('unexpected end of file');
  });
  it('reports a JSONL line that is not valid UTF-8 instead of storing U+FFFD in place of its bytes', async () => {
    // A Windows-1252 export: "Müller" is the single byte 0xFC, which no UTF-8 text holds.
    const rs = await read(Buffer.concat([Buffer.from('{"type":"track","userId":"u1","event":"E"}\n{"type":"track","userId":"M'), Buffer.from([0xfc]), Buffer.from('ller","event":"E"}\r\n{"type":"track","userId":"ü3","event":"E"}')]), 'jsonl');
    expect(brief(rs)).toEqual([{ line: 1, ok: true, user: 'u1' }, { line: 2, ok: false, user: undefined }, { line: 3, ok: true, user: 'ü3' }]);
    expect(rs[1].error).toContain('not valid UTF-8 (byte 28 of the line)');
  });

  it('reports a CSV row that is not valid UTF-8, a quoted line break before the bad byte included, and not rows whose characters span chunks', async () => {
    const rows = Buffer.concat([Buffer.from('user,event\nu1,E\nu2,"a\nM'), Buffer.from([0xfc]), Buffer.from('ller"\nu3,E\nu4,'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const rs = await read(rows, 'csv');
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }, { line: 3, ok: false, user: undefined }, { line: 5, ok: true, user: 'u3' }, { line: 6, ok: false, user: undefined }]);
    expect(rs[1].error).toContain('not valid UTF-8');
    // Rows mostly of three-byte characters, read 64 KB at a time: chunk ends fall inside some.
    const many = Buffer.from(['user,event', ...Array.from({ length: 8000 }, (_, i) => `ü${i},${'€'.repeat(i % 9 + 1)}`)].join('\n'));
    expect([1, 2, 3, 4].map((k) => many[k * 65536] >> 6).filter((top) => top === 0b10).length).toBeGreaterThan(0);
    const ok = await read(many, 'csv');
    expect(ok.length).toBe(8000);
    expect(ok.every((r) => !r.error)).toBe(true);
  });

  it('reports a JSONL line longer than 1 MB without holding it, and goes on with the next line', async () => {
    const long = `{"type":"track","userId":"u1","event":"${'x'.repeat(3 * 1024 * 1024)}"}`;
    const rs = await read(`${long}\n{"type":"track","userId":"u2","event":"E"}\n`, 'jsonl');
    expect(brief(rs)).toEqual([{ line: 1, ok: false, user: undefined }, { line: 2, ok: true, user: 'u2' }]);
    expect(rs[0].error).toBe(`the line is ${long.length} bytes long; a message may be at most 32 KB`);
  });

  it('refuses a CSV file, before its first row, whose header lacks a mapped column or names a used column twice', async () => {
    await expect(read('user,event\nu1,E\n', 'csv', parseColumnMap('userId=customer,event=event', 'track'))).rejects.toThrow('The column map names the column "customer", which the header lacks (its columns: "user", "event").');
    await expect(read('user,event,user\nu1,E,u9\n', 'csv')).rejects.toThrow('The header names the column "user" twice (columns 1 and 3)');
    // A repeated column that nothing reads is no ambiguity.
    expect(brief(await read('user,event,x,x\nu1,E,1,2\n', 'csv', parseColumnMap('userId=user,event=event', 'track', 'ignore')))).toEqual([{ line: 2, ok: true, user: 'u1' }]);
    // An empty file has no header and no rows: the importer says it holds no messages.
    expect(await read('', 'csv')).toEqual([]);
  });
  it('reads a gzipped file whose name ends in upper-case .GZ through gunzip, as the command line takes it', async () => {
    const file = join(dir, 'EXPORT.CSV.GZ');
    writeFileSync(file, gzipSync(Buffer.from('user,event\nu1,E\n')));
    const rs: ImportRecord[] = [];
    for await (const r of readRecords(file, 'csv', parseColumnMap('userId=user,event=event'))) if (!r.header) rs.push(r);
    expect(brief(rs)).toEqual([{ line: 2, ok: true, user: 'u1' }]);
  });
  it('reads a UTF-16 file (by its byte order mark, as Excel saves "Unicode" text) with its rows numbered right', async () => {
    const utf16 = (text: string, be = false) => {
      const le = Buffer.from('\uFEFF' + text, 'utf16le');
      return be ? Buffer.from(le).swap16() : le;
    };
    for (const be of [false, true]) {
      const rs = await read(utf16('user,event\nMüller,E\nu2,"a\nb"\nu3,E\n', be), 'csv');
      expect(brief(rs), be ? 'UTF-16BE' : 'UTF-16LE').toEqual([{ line: 2, ok: true, user: 'Müller' }, { line: 3, ok: true, user: 'u2' }, { line: 5, ok: true, user: 'u3' }]);
    }
    const jsonl = await read(utf16('{"type":"track","userId":"Zoë","event":"E"}\r\n{"type":"track","userId":"u2","event":"E"}'), 'jsonl');
    expect(brief(jsonl)).toEqual([{ line: 1, ok: true, user: 'Zoë' }, { line: 2, ok: true, user: 'u2' }]);
  });
});
