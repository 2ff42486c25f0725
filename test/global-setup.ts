import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs once around the whole test run. Every folder a test makes goes under one folder for the
 * run (TACT_TEST_TMP, read by test/tmp.ts), removed when the run ends, so runs leave nothing in
 * the system's temporary folder. PostgreSQL-backed suites start the local server themselves.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tact-test-'));
  process.env.TACT_TEST_TMP = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
