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
