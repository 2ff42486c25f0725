import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../test/tmp.js';
import { FETCH_BAD_PORTS, fetchablePort, readableFile, serverUrl } from './options.js';

const errorOf = (f: () => Promise<unknown>) => f().then(() => undefined, (e: unknown) => e);

describe('a file given on the command line', () => {
  it('is taken when it is a file that can be read', () => {
    const file = join(testDir('tact-options-'), 'tact.config.yaml');
    writeFileSync(file, 'features: {}\n');
    expect(readableFile('--config', file)).toBe(file);
  });

  it('is refused by its option when it does not exist', () => {
    const file = join(testDir('tact-options-'), 'tact.config.yml');
    expect(() => readableFile('--config', file)).toThrow(`The --config "${file}" does not exist.`);
  });

  it('is refused by its option when it is a folder, not the raw EISDIR', () => {
    const dir = testDir('tact-options-');
    expect(() => readableFile('TACT_CONFIG', dir)).toThrow(`The TACT_CONFIG "${dir}" is a folder, not a file: name the file itself.`);
  });

  it('is refused by its option when a part of its path is a file', () => {
    const file = join(testDir('tact-options-'), 'a.yaml');
    writeFileSync(file, '');
    expect(() => readableFile('--config', join(file, 'b.yaml'))).toThrow(`The --config "${join(file, 'b.yaml')}" does not exist.`);
  });

  // Root reads any file whatever its mode: the test means something only for another user.
  it.skipIf(process.getuid?.() === 0)('is refused by its option when this user may not read it', () => {
    const dir = testDir('tact-options-');
    mkdirSync(join(dir, 'x'));
    const file = join(dir, 'x', 'tact.config.yaml');
    writeFileSync(file, '');
    chmodSync(file, 0o000);
    expect(() => readableFile('--config', file)).toThrow(`The --config "${file}" cannot be read: permission denied.`);
  });
});

describe('the server URL of a client command', () => {
  it('refuses a port fetch never connects to, naming the option (fetch said only "bad port", and the import retried it for half a minute)', () => {
    expect(() => fetchablePort('--url', 'http://127.0.0.1:6000')).toThrow('The --url "http://127.0.0.1:6000" is on port 6000, to which Node\'s fetch never connects (a port of other protocols; Fetch Standard, "bad port"): serve Tact on another port, e.g. 8787.');
    expect(() => fetchablePort('TACT_URL', 'http://example.com:1/')).toThrow(/^The TACT_URL "http:\/\/example\.com:1\/" is on port 1, /);
    expect(() => fetchablePort('--url', 'http://127.0.0.1:8787/')).not.toThrow();
    expect(() => fetchablePort('--url', 'http://example.com/')).not.toThrow();
  });

  it('names exactly the ports Node\'s fetch refuses (every one of the list, and some next to them, are tried)', async () => {
    const refused = async (port: number) => {
      const err = (await errorOf(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }))) as Error | undefined;
      return (err?.cause as Error | undefined)?.message === 'bad port';
    };
    for (const port of FETCH_BAD_PORTS) expect(await refused(port), String(port)).toBe(true);
    for (const port of [2, 8787, 6001, 10081]) expect(await refused(port), String(port)).toBe(false);
  });
});

describe('the port of a server URL', () => {
  it('is named when it is no port, not the URL said to be no http(s) URL', () => {
    expect(() => serverUrl('--url', 'http://127.0.0.1:70000')).toThrow('The --url "http://127.0.0.1:70000" is on port 70000, which is no port: give a whole number from 1 to 65535, e.g. http://127.0.0.1:8787.');
    expect(() => serverUrl('TACT_URL', 'https://tact.example.com:99999/')).toThrow(/^The TACT_URL "https:\/\/tact\.example\.com:99999\/" is on port 99999, which is no port/);
    expect(() => serverUrl('--url', 'nope')).toThrow('The --url "nope" is not an http(s) URL; e.g. http://127.0.0.1:8787.');
    expect(serverUrl('--url', 'http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
  });
});
