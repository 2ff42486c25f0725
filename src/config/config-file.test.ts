import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { loadConfigFile } from './config-file.js';

/** The error a config file gives at start (`tact serve` prints it and stops), or undefined. */
function startError(name: string, text: string): string | undefined {
  const dir = testDir('tact-config-file-');
  writeFileSync(join(dir, name), text);
  try {
    loadConfigFile(name, dir);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const SECRET = 'whsec-4f9a0c2e7b1d';

describe('a config file that cannot be parsed', () => {
  it('names the file, the line and the column of a JSON syntax error (a trailing comma: Node says neither)', () => {
    const message = startError('tact.config.json', '{\n  "features": [\n    { "name": "orders", "kind": "count", "event": "A" },\n  ]\n}\n');
    expect(message).toMatch(/tact\.config\.json/);
    expect(message).toMatch(/line 4, column 3/);
  });

  it('names the line and column of each kind of JSON fault', () => {
    const cases: [string, string][] = [
      ['{\n  "features": [\n    { "name": "orders" "kind": "count" }\n  ]\n}', 'line 3, column 24'],
      ['{\n  "features": tru\n}', 'line 2, column 15'],
      ['{\n  "features": [1,\n', 'line 3, column 1'],
      ['{ "a": 1 }\n{ "b": 2 }', 'line 2, column 1'],
      ["{ 'a': 1 }", 'line 1, column 3'],
      ['{ "a": "x\ty" }', 'line 1, column 10'],
    ];
    for (const [text, where] of cases) expect(startError('c.json', text), text).toContain(where);
  });

  it('never quotes the file, which may hold the alert webhook’s secret (docs/configuration.md: never logged)', () => {
    const json = `{"monitors": {"webhook": {"secret": "${SECRET}", "url": x}}}`;
    // The YAML parser's own message shows the line at fault: here, the secret's.
    const yaml = `monitors:\n  webhook:\n    secret: ${SECRET}: x\n    url: https://hooks.example.com\n`;
    for (const [name, text] of [['c.json', json], ['c.yaml', yaml]]) {
      const message = startError(name, text);
      expect(message, name).toMatch(/line \d+, column \d+/);
      expect(message, name).not.toContain(SECRET.slice(-8));
    }
  });

  it('never quotes an unquoted secret YAML reads as an alias (`*…`) or a tag (`!…`), and prints no warning of its own', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      for (const [lead, where] of [['*', 'line 3, column 13'], ['!', 'line 3, column 13']] as const) {
        const message = startError('c.yaml', `monitors:\n  webhook:\n    secret: ${lead}${SECRET}\n    url: https://hooks.example.com\n`);
        expect(message, lead).toContain(`a value starts with \`${lead}\``);
        expect(message, lead).toContain(where);
        expect(message, lead).not.toContain(SECRET.slice(-8));
      }
      // An anchor set before its alias is YAML as meant, and reads.
      expect(startError('c.yaml', 'a: &x 1\nb: *x\n')).toBeUndefined();
      await new Promise((r) => setImmediate(r)); // a process warning is emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    // Until 2026-12-05 the yaml library warned on stderr with the tag (the secret) in it.
    expect(warnings.join('\n')).not.toContain(SECRET.slice(-8));
  });

  it('reads a file that begins with a byte-order mark, as editors on Windows save it', () => {
    expect(startError('c.json', '\uFEFF{ "features": [] }')).toBeUndefined();
    expect(startError('c.yaml', '\uFEFFfeatures: []\n')).toBeUndefined();
  });

  it('names the file and the line of a YAML error, with the parser\'s reason', () => {
    const message = startError('tact.config.yaml', 'features:\n  - name: orders\n    kind: count\nfeatures: []\n');
    expect(message).toMatch(/tact\.config\.yaml could not be parsed: Map keys must be unique at line 4, column 1/);
  });
});
