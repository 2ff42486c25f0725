import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropRunDatabases } from './postgres.js';

/**
 * Runs once around the whole test run. Every folder a test makes goes under one folder for the
 * run (TACT_TEST_TMP, read by test/tmp.ts), removed when the run ends, so runs leave nothing in
 * the system's temporary folder. PostgreSQL-backed suites start the local server themselves; the
 * databases they give back are kept for the next test of their process (test/postgres.ts), named
 * after the run (TACT_TEST_RUN), and dropped when it ends.
 */
export default function setup(): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tact-test-'));
  const run = randomBytes(4).toString('hex');
  process.env.TACT_TEST_TMP = dir;
  process.env.TACT_TEST_RUN = run;
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropRunDatabases(run);
  };
}
