import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { column, numbers, parseCsv, readCsv, splitCsvLine } from './csv.js';
import { testDir } from '../../../test/tmp.js';

describe('CSV reading (RFC 4180)', () => {
  it('splits quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('a,"b, c",d')).toEqual(['a', 'b, c', 'd']);
    expect(splitCsvLine('"say ""hi""",,x')).toEqual(['say "hi"', '', 'x']);
    expect(splitCsvLine('2) $100 - $200,142.44')).toEqual(['2) $100 - $200', '142.44']);
  });

  it('parses a header and rows, CRLF included, and names missing columns in a sentence', () => {
    const t = parseCsv('x,y\r\n1,2\r\n\r\n3,4\n');
    expect(t).toEqual({ header: ['x', 'y'], rows: [['1', '2'], ['3', '4']] });
    expect(column(t, 'y')).toBe(1);
    expect(() => column(t, 'z')).toThrow('The column "z" is missing from the dataset; its columns are: x, y.');
  });

  it('reads gzipped files', () => {
    const dir = testDir('tact-csv-');
    const path = join(dir, 't.csv.gz');
    writeFileSync(path, gzipSync('a,b\n1,2\n'));
    expect(readCsv(path).rows).toEqual([['1', '2']]);
  });

  it('names the file a column is missing from, and the line and column of a cell that is no number (QA: a damaged dataset named neither)', () => {
    const dir = testDir('tact-csv-');
    const path = join(dir, 'men.csv.gz');
    writeFileSync(path, gzipSync('x\n'));
    expect(() => column(readCsv(path), 'item_id')).toThrow(`The column "item_id" is missing from ${path}; its columns are: x.`);
    const bad = join(dir, 'clicks.csv');
    writeFileSync(bad, 'item_id,click\n1,0\n2,\n3,yes\n');
    const t = readCsv(bad);
    expect(numbers(t, 'item_id')).toEqual([1, 2, 3]);
    expect(() => numbers(t, 'click')).toThrow(`The column "click" of ${bad} holds nothing on data line 2, which is not a number.`);
    expect(() => numbers({ header: ['c'], rows: [['1e400']] }, 'c')).toThrow('The column "c" of the dataset holds "1e400" on data line 1, which is not a number.');
  });
});
