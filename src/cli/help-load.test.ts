import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageScript } from '../../test/cli-entry.js';
import { testDir } from '../../test/tmp.js';

/**
 * The modules a `tact` call loads, recorded by a module hook (node:module register) that appends
 * each URL it loads to `log`.
 */
function modulesLoaded(args: string[], log: string): string[] {
  const hook = `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ...packageScript('src/cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, TACT_DATA_DIR: join(log, '..', 'data') } });
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** What only running a command needs: the server, a store, the models. */
const HEAVY = /\/src\/(server\/(app|tact)|store\/(open|sqlite\/sqlite-store|postgres\/)|models\/learning)\.[jt]s$/;

describe('tact --help', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it.each(['--help', 'serve --help', 'keys create --help', 'train --help', 'experiment results --help', 'import --help'])('tact %s loads neither the server, a store nor the models: only running a command does', (line) => {
    const args = line.split(' ');
    const path = testDir('help-load');
    dirs.push(path);
    const loaded = modulesLoaded(args, join(path, 'loaded.txt'));
    // The hook saw the command line itself: the record is of this run.
    expect(loaded.some((u) => /\/src\/cli\/main\.[jt]s$/.test(u))).toBe(true);
    expect(loaded.filter((u) => HEAVY.test(u))).toEqual([]);
  });
});
