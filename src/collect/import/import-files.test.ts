import { closeSync, existsSync, linkSync, openSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { checkImportFiles, defaultReportPath } from './import-files.js';
import { runImport } from './importer.js';

const events = () => {
  // (Its real path, as the refusal names it: a temporary folder may be reached through a link.)
  const dir = realpathSync(testDir('tact-import-files-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, '{"type":"track","userId":"u1","event":"Viewed","messageId":"r-1"}\n{not json\n');
  return { dir, file };
};

describe('tact import: the file imported, the report and the progress are three files', () => {
  it('refuses a --report or --state naming the file imported, or one another, naming the options', () => {
    const { dir, file } = events();
    expect(() => checkImportFiles({ path: file, reportPath: file })).toThrow(`The --report file and the file imported are the same file (${file}): the report of bad lines would be written over the file imported (or remove it, when no line is bad). Pass --report with another file. Nothing was read, sent or written.`);
    expect(() => checkImportFiles({ path: file, statePath: file })).toThrow(`The --state file and the file imported are the same file (${file}): the import's progress would be written over the file imported. Pass --state with another file.`);
    const x = join(dir, 'x.json');
    expect(() => checkImportFiles({ path: file, reportPath: x, statePath: x })).toThrow(`The --report file and the --state file are the same file (${x}): the import's progress and its report of bad lines would be written over each other. Pass --report or --state with another file.`);
    // A name that is another's default, or the file the progress is written through.
    expect(() => checkImportFiles({ path: file, reportPath: `${file}.tact-import.json` })).toThrow('The --report file and the saved progress (FILE.tact-import.json) are the same file');
    expect(() => checkImportFiles({ path: file, statePath: `${file}.rejected.jsonl` })).toThrow('The --state file and the report of bad lines (FILE.rejected.jsonl) are the same file');
    expect(() => checkImportFiles({ path: file, reportPath: join(dir, 's.json.tmp'), statePath: join(dir, 's.json') })).toThrow('The --report file and the file the progress is written to before it replaces --state (its name with .tmp) are the same file');
    // Apart, they are taken.
    expect(() => checkImportFiles({ path: file, reportPath: join(dir, 'r.jsonl'), statePath: join(dir, 's.json') })).not.toThrow();
    expect(() => checkImportFiles({ path: file })).not.toThrow();
  });

  it('knows the file imported under another name: a relative path, a symbolic link, a hard link, stdin redirected from it', () => {
    const { dir, file } = events();
    symlinkSync(file, join(dir, 'sym.jsonl'));
    linkSync(file, join(dir, 'hard.jsonl'));
    expect(() => checkImportFiles({ path: file, reportPath: join(dir, 'sub', '..', 'events.jsonl') })).toThrow('The --report file and the file imported are the same file');
    expect(() => checkImportFiles({ path: file, reportPath: join(dir, 'sym.jsonl') })).toThrow(`The --report file and the file imported are the same file (${file})`);
    expect(() => checkImportFiles({ path: join(dir, 'sym.jsonl'), statePath: file })).toThrow('The --state file and the file imported are the same file');
    expect(() => checkImportFiles({ path: file, statePath: join(dir, 'hard.jsonl') })).toThrow('The --state file and the file imported are the same file');
    // `tact import - --report events.jsonl < events.jsonl`
    const fd = openSync(file, 'r');
    try {
      expect(() => checkImportFiles({ stdinFd: fd, reportPath: join(dir, 'hard.jsonl') })).toThrow('The --report file and stdin are the same file');
      expect(() => checkImportFiles({ stdinFd: fd, reportPath: join(dir, 'other.jsonl') })).not.toThrow();
    } finally {
      closeSync(fd);
    }
  });

  it('refuses before reading, sending or writing anything: the file imported is left as it was (until 2026-12-05 it was deleted or overwritten)', async () => {
    const { file } = events();
    const before = readFileSync(file, 'utf8');
    // (No server at the URL: nothing is sent before the refusal.)
    for (const o of [{ reportPath: file }, { statePath: file }]) {
      await expect(runImport({ path: file, format: 'jsonl', url: 'http://127.0.0.1:9', writeKey: 'w', ...o })).rejects.toThrow('and the file imported are the same file');
      expect(readFileSync(file, 'utf8')).toBe(before);
    }
    expect(existsSync(`${file}.tact-import.json`)).toBe(false);
    expect(existsSync(`${file}.rejected.jsonl`)).toBe(false);
  });

  it('names the report of a stdin run by its time, in UTC, and takes the next name when that one is taken', () => {
    const dir = testDir('tact-import-files-');
    const now = new Date('2026-12-05T13:40:12.345Z');
    expect(defaultReportPath(undefined, { now, dir })).toBe(join(dir, 'stdin-20261205T134012Z.rejected.jsonl'));
    writeFileSync(join(dir, 'stdin-20261205T134012Z.rejected.jsonl'), '');
    expect(defaultReportPath(undefined, { now, dir })).toBe(join(dir, 'stdin-20261205T134012Z-2.rejected.jsonl'));
    expect(defaultReportPath(join(dir, 'a.jsonl'))).toBe(join(dir, 'a.jsonl.rejected.jsonl'));
  });
});
