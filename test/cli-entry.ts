import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/** The newest modification time (ms) of the TypeScript sources a build compiles (tests aside). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let built: boolean | undefined;

/**
 * Whether dist/ holds a build of the sources as they are: every source older than the build's
 * command line and its benchmark runner (tsc writes every file of a build). `npm ci` builds
 * (`prepare`), so CI always has one; after an edit without a build, the sources are run.
 */
function distIsCurrent(): boolean {
  if (built !== undefined) return built;
  try {
    const buildTime = Math.min(statSync(join(ROOT, 'dist/src/cli/main.js')).mtimeMs, statSync(join(ROOT, 'dist/bench/run.js')).mtimeMs);
    built = Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'bench'))) <= buildTime;
  } catch {
    built = false;
  }
  return built;
}

/**
 * The node arguments that run a script of the package in a child process: its build when dist/ is
 * current, else the TypeScript source through tsx. A child started from the build spends about
 * half the CPU of one that compiles the sources first (1.2 against 2.6 s for `tact --help` on a
 * loaded 2-core machine, 2026-12-04), and the suite starts about 70 of them.
 *
 * @example
 * spawn(process.execPath, [...packageScript('src/cli/main.ts'), 'serve', '--port', '8787']);
 */
export function packageScript(source: 'src/cli/main.ts' | 'bench/run.ts'): string[] {
  if (process.env.TACT_TEST_FROM_SOURCE !== '1' && distIsCurrent()) return [join(ROOT, 'dist', source.replace(/\.ts$/, '.js'))];
  // tsx by its path: the child may run in a folder outside the repository (`cwd`).
  return ['--import', pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, join(ROOT, source)];
}
