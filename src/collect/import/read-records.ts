import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { createGunzip } from 'node:zlib';
import { rowToMessage, type ColumnMap } from './column-map.js';

/** One line (or CSV record) of an import file: its 1-based number, the message, or why it is not one. */
export type ImportRecord = { line: number; bytes: number; message?: Record<string, unknown>; error?: string };

/**
 * Reads an import file record by record: JSONL (one Segment message per line) or CSV through a
 * column map. `.gz` files are read through gunzip. `bytes` is how far into the file the reader is
 * (for the progress bar).
 */
export async function* readRecords(path: string, format: 'jsonl' | 'csv', map?: ColumnMap): AsyncGenerator<ImportRecord> {
  const file = createReadStream(path);
  let bytes = 0;
  file.on('data', (chunk) => (bytes += chunk.length));
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line += 1;
      if (!text.trim()) continue;
      try {
        const v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) yield { line, bytes, error: 'the line is JSON but not an object' };
        else yield { line, bytes, message: v as Record<string, unknown> };
      } catch (e) {
        yield { line, bytes, error: `the line is not valid JSON (${(e as Error).message})` };
      }
    }
    return;
  }
  const parser = input.pipe(parse({ columns: true, skip_empty_lines: true, relax_column_count: true, info: true, bom: true }));
  for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const line = rec.info.lines;
    try {
      yield { line, bytes, message: rowToMessage(rec.record, map as ColumnMap) };
    } catch (e) {
      yield { line, bytes, error: (e as Error).message };
    }
  }
}
