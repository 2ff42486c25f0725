import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { datasetsDir } from './evaluate.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A package at <root>/pkg with its CLI module at `modulePath`, and a foreign datasets/ beside it. */
function layout(modulePath: string, withDatasets: boolean): string {
  root = mkdtempSync(join(tmpdir(), 'tact-datasets-'));
  mkdirSync(join(root, 'datasets'));
  mkdirSync(join(root, 'pkg', modulePath, '..'), { recursive: true });
  writeFileSync(join(root, 'pkg', 'package.json'), JSON.stringify({ name: 'tact' }));
  if (withDatasets) mkdirSync(join(root, 'pkg', 'datasets'));
  return pathToFileURL(join(root, 'pkg', modulePath)).href;
}

describe('tact evaluate: where the data sets are read from', () => {
  it('reads the datasets/ folder of its own package, from src/ and from dist/src/', () => {
    const fromSrc = layout('src/cli/evaluate.ts', true);
    expect(datasetsDir(fromSrc)).toBe(join(root!, 'pkg', 'datasets'));
    const fromDist = fromSrc.replace('/src/cli/', '/dist/src/cli/').replace('.ts', '.js');
    expect(datasetsDir(fromDist)).toBe(join(root!, 'pkg', 'datasets'));
  });

  it('refuses, rather than read a datasets/ folder outside its package, when its own is missing', () => {
    const fromSrc = layout('src/cli/evaluate.ts', false);
    expect(() => datasetsDir(fromSrc)).toThrow(/datasets/);
    const fromDist = fromSrc.replace('/src/cli/', '/dist/src/cli/').replace('.ts', '.js');
    expect(() => datasetsDir(fromDist)).toThrow(/datasets/);
  });
});
