import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { checkInputFile, inputFileProblem } from './input-file.js';
import { runImport } from './importer.js';

describe('the file an import reads', () => {
  it('is refused when it is a folder, in one sentence naming it', () => {
    const dir = join(testDir('tact-import-input-'), 'adir');
    mkdirSync(dir);
    expect(() => checkInputFile(dir)).toThrow(`${dir} is a folder, not a file: name the file to import (.jsonl, .csv or .tsv), or - for stdin.`);
  });

  it('is refused when it is missing, naming it', () => {
    const file = join(testDir('tact-import-input-'), 'missing.jsonl');
    expect(() => checkInputFile(file)).toThrow(`There is no file ${file}.`);
  });

  it('is taken, with its size, when it can be read', () => {
    const file = join(testDir('tact-import-input-'), 'events.jsonl');
    writeFileSync(file, '{}\n');
    expect(checkInputFile(file).size).toBe(3);
  });

  // (Tests run as root here, for whom every file is readable: the sentence is checked on the error
  // the system gives another user, as fs.open raises it.)
  it('says a permission denied as a sentence naming the file, not the raw EACCES', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/data/events.jsonl'"), { code: 'EACCES', syscall: 'open', path: '/data/events.jsonl' });
    expect(inputFileProblem('/data/events.jsonl', err)).toBe('The file /data/events.jsonl cannot be read: this user is not permitted to (check its owner and mode).');
  });

  it('says a folder met on reading (EISDIR) as a folder, not the raw error', () => {
    const err = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR', syscall: 'read' });
    expect(inputFileProblem('/data/adir', err)).toBe('/data/adir is a folder, not a file: name the file to import (.jsonl, .csv or .tsv), or - for stdin.');
  });

  it('is refused by runImport when it is a folder, before anything is sent (not the raw EISDIR of reading it)', async () => {
    const dir = join(testDir('tact-import-input-'), 'adir');
    mkdirSync(dir);
    await expect(runImport({ path: dir, format: 'jsonl', url: 'http://127.0.0.1:9', writeKey: 'w' })).rejects.toThrow(`${dir} is a folder, not a file`);
  });
});
