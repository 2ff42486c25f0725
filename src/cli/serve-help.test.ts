import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../server/version.js';
import { serveCommand } from './serve.js';

/** Variables of docs/configuration.md's table that other commands read, not `tact serve`. */
const OTHER_COMMANDS = new Set(['TACT_URL', 'TACT_ASCII']);

/** The variables the table of docs/configuration.md's "Environment" section names (as src/config/environment-docs.test.ts reads it). */
function documented(): string[] {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  const section = doc.slice(doc.indexOf('\n## Environment'), doc.indexOf('\n### ', doc.indexOf('\n## Environment')));
  const names = section.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
  return [...new Set(names)];
}

describe('tact serve --help', () => {
  it('names every environment variable the server reads (docs/configuration.md)', () => {
    let out = '';
    const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    serveCommand(program);
    expect(() => program.parse(['serve', '--help'], { from: 'user' })).toThrow();
    const names = documented().filter((n) => !OTHER_COMMANDS.has(n));
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(out)), 'not in the help').toEqual([]);
  });

  it('is of the version package.json gives', () => {
    expect(VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});
