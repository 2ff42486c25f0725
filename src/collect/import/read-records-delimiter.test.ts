import { Readable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { parseColumnMap } from './column-map.js';
import { readRecords, type ImportRecord } from './read-records.js';

const map = parseColumnMap('userId=user,event=event,properties.note=note', 'track');
const brief = (rs: ImportRecord[]) => rs.filter((r) => !r.header).map((r) => ({ line: r.line, error: r.error, user: r.message?.userId, event: r.message?.event, note: (r.message?.properties as { note?: string } | undefined)?.note }));
async function all(gen: AsyncGenerator<ImportRecord>): Promise<ImportRecord[]> {
  const out: ImportRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

describe('reading an import file with another delimiter, or from a stream', () => {
  it('reads tab-separated values (TSV): a comma is part of a field, a tab ends it', async () => {
    const file = join(testDir('tact-read-delim-'), 'orders.tsv');
    writeFileSync(file, 'user\tevent\tnote\nu1\tOrder Completed\tred, large\nu2\tViewed\t"quoted\ttab"\n');
    expect(brief(await all(readRecords(file, 'csv', map, { delimiter: '\t' })))).toEqual([
      { line: 2, error: undefined, user: 'u1', event: 'Order Completed', note: 'red, large' },
      { line: 3, error: undefined, user: 'u2', event: 'Viewed', note: 'quoted\ttab' },
    ]);
  });

  it('reads a ;-separated export (a spreadsheet set to a comma as decimal mark), numbering its lines as a CSV', async () => {
    const file = join(testDir('tact-read-delim-'), 'orders.csv');
    writeFileSync(file, 'user;event;note\r\nu1;Viewed;1,5\r\n\r\nu2;"Order\r\nCompleted";x\r\nu3;Viewed\r\n');
    expect(brief(await all(readRecords(file, 'csv', map, { delimiter: ';' })))).toEqual([
      { line: 2, error: undefined, user: 'u1', event: 'Viewed', note: '1,5' },
      { line: 4, error: undefined, user: 'u2', event: 'Order\r\nCompleted', note: 'x' },
      { line: 6, error: 'the row has 2 fields where the header has 3 columns', user: undefined, event: undefined, note: undefined },
    ]);
  });

  it('reads JSONL and CSV from a stream (stdin) as from a file, larger than one chunk', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ type: 'track', userId: `u${i}`, event: 'Viewed' }));
    const input = Readable.from([Buffer.from(lines.join('\n') + '\n')]);
    const rs = await all(readRecords('-', 'jsonl', undefined, { input }));
    expect(rs.map((r) => r.message?.userId)).toEqual(lines.map((_, i) => `u${i}`));
    expect(rs.at(-1)?.line).toBe(3000);
    const csv = Readable.from(['user\tevent\tnote\n', 'u1\tVi', 'ewed\tn\nu2\tViewed\tm\n']);
    expect(brief(await all(readRecords('-', 'csv', map, { input: csv, delimiter: '\t' }))).map((r) => [r.line, r.user, r.event])).toEqual([[2, 'u1', 'Viewed'], [3, 'u2', 'Viewed']]);
  });
});
