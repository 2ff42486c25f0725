import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { decideBatchCommand } from './command.js';
import { outFormat } from './out-format.js';

describe('the form `tact decide-batch` writes its decisions in', () => {
  it('is told from the extension of --out, JSON lines for stdout', () => {
    expect([outFormat('send.csv', undefined), outFormat('SEND.CSV', undefined), outFormat('send.jsonl', undefined), outFormat('send.ndjson', undefined), outFormat('-', undefined), outFormat(undefined, undefined)]).toEqual(['csv', 'csv', 'jsonl', 'jsonl', 'jsonl', 'jsonl']);
  });

  it('refuses in one line, naming the option and the forms, an extension that says no form it writes', () => {
    expect(() => outFormat('out.txt', undefined)).toThrow('--out out.txt: the form of the decisions cannot be told from the extension .txt; name the file .jsonl (JSON lines) or .csv, or give --format jsonl or --format csv.');
    // A .json file would be read as one JSON document: JSON lines are not one.
    expect(() => outFormat('out.json', undefined)).toThrow(/^--out out\.json: .* the extension \.json; name the file \.jsonl/);
    expect(() => outFormat('decisions', undefined)).toThrow(/^--out decisions: .* a name without an extension; /);
  });

  it('honours an explicit --format, whatever the file is named, and refuses another form', () => {
    expect([outFormat('out.txt', 'csv'), outFormat('out.csv', 'jsonl'), outFormat(undefined, 'csv')]).toEqual(['csv', 'jsonl', 'csv']);
    expect(() => outFormat('out.csv', 'tsv')).toThrow('--format must be jsonl or csv; got "tsv".');
  });
});

describe('tact decide-batch -o out.txt', () => {
  it('is refused before the server is asked for any decision, and writes no file', async () => {
    let hits = 0;
    const server = createServer((_req, res) => (hits++, res.writeHead(200).end('{"type":"done","scanned":0,"total":0,"matched":0,"decided":0,"actions":0,"stoppedBy":"end"}\n')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const out = join(testDir('tact-batch-format-'), 'out.txt');
      const program = new Command().exitOverride();
      decideBatchCommand(program);
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const run = program.parseAsync(['decide-batch', '-p', 'weekly-email', '-a', 'true', '-o', out, '-u', url, '-k', 'k', '--no-progress'], { from: 'user' });
      await expect(run).rejects.toThrow(`--out ${out}: the form of the decisions cannot be told from the extension .txt;`);
      expect([hits, existsSync(out), existsSync(`${out}.partial`)]).toEqual([0, false, false]);
    } finally {
      server.close();
    }
  });
});
