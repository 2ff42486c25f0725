import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDir } from './make-dir.js';

const root = mkdtempSync(join(tmpdir(), 'tact-make-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDir', () => {
  it('makes a folder and the missing ones above it, and takes one that exists', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDir(dir);
    makeDir(join(root, 'a'));
  });

  it('throws at once under /proc, where Node\'s recursive mkdir spins for ever (a TACT_DATA_DIR there hung the server)', () => {
    const started = Date.now();
    expect(() => makeDir('/proc/tact-no-such-folder/data')).toThrow(/ENOENT/);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('throws where a file or a dangling link stands in the way', () => {
    writeFileSync(join(root, 'file'), '');
    expect(() => makeDir(join(root, 'file', 'data'))).toThrow(/EEXIST|ENOTDIR/);
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    expect(() => makeDir(join(root, 'dangling', 'data'))).toThrow(/EEXIST|ENOENT/);
  });
});
