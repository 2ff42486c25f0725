import { join } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { measureShop, simulateShopLog } from '../measure/simulation.js';
import { createRng } from '../measure/stats/prng.js';
import { Tact } from '../server/tact.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { evaluatePolicyCommand } from './measure.js';

/** `tact evaluate-policy` on a store with a logged week: what a script reads of it, and its errors by flag. */
describe('tact evaluate-policy on a store', () => {
  const env = { ...process.env };
  beforeAll(async () => {
    const dir = join(testDir('tact-evaluate-cli-'), 'data');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const store = await openSqliteStore({ path: join(dir, 'tact.db') });
    const clock = { now: Date.now() - 20 * 86_400_000 };
    const tact = await Tact.create({ store, logger: pino({ level: 'silent' }), background: false, configFile: { path: 'test', sections: measureShop({ exploration: 0.3 }) }, now: () => clock.now, random: createRng(1) });
    await simulateShopLog(tact, { subjects: 200, seed: 2 });
    await tact.close();
    await store.close();
    process.env.TACT_DATA_DIR = dir;
    delete process.env.TACT_DATABASE_URL;
  }, 120_000);
  afterAll(() => restoreEnv(env));

  async function run(args: string[]): Promise<{ out: string; error?: string }> {
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    try {
      const program = new Command().exitOverride();
      evaluatePolicyCommand(program);
      const error = await program.parseAsync(['evaluate-policy', ...args], { from: 'user' }).then(() => undefined, (e: Error) => e.message);
      return { out, error };
    } finally {
      write.mockRestore();
    }
  }

  it('--json prints one JSON object as its last line, with --clip its clipped IPS and bias', async () => {
    const r = await run(['--placement', 'home', '--exploration', '0.1', '--clip', '2', '--json', '--replicates', '50']);
    expect(r.error).toBeUndefined();
    const lines = r.out.trimEnd().split('\n');
    const answer = JSON.parse(lines.at(-1)!);
    expect(answer).toMatchObject({ placement: 'home', read: 200, candidate: { exploration: 0.1 } });
    expect(answer.report.clippedIps.clip).toBe(2);
  });

  it('names the flag, not the API field, of a policy version that is not stored', async () => {
    const r = await run(['--placement', 'home', '--policy', '7']);
    expect(r.error).toBe('No policy version (--policy) matches `7`: did you mean `1`? The policy versions are 1.');
  });
});
