import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new empty folder for a test, under the run's folder that test/global-setup.ts removes at the
 * end (the system's temporary folder when a test file runs without it).
 *
 * @example
 * const dir = testDir('tact-batch-');
 */
export function testDir(prefix: string): string {
  return mkdtempSync(join(process.env.TACT_TEST_TMP ?? tmpdir(), prefix));
}

/**
 * Puts the environment back as `saved` (a copy taken before the test) in place: test files share
 * their worker (vitest.config.ts), and replacing `process.env` with a plain object would leave
 * later files an environment whose `TZ` no longer reaches the clock.
 *
 * @example
 * const saved = { ...process.env };
 * afterEach(() => restoreEnv(saved));
 */
export function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (process.env[k] !== v) process.env[k] = v;
}
