import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Settings } from '../../config/settings.js';
import { documentKinds } from '../../server/tact.js';
import { openStore } from '../../store/open.js';
import { calibrationCommand } from '../cli.js';

const rates = [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '72h' }];

describe('tact calibration (the command)', () => {
  let dir: string;
  let out = '';
  const env = process.env.TACT_DATA_DIR;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tact-calibration-'));
    const store = await openStore({ dataDir: dir });
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    await settings.put('rates', rates, { author: 't', reason: 't' });
    await store.close();
    process.env.TACT_DATA_DIR = dir;
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    out = '';
    if (env === undefined) delete process.env.TACT_DATA_DIR;
    else process.env.TACT_DATA_DIR = env;
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    const program = new Command().exitOverride();
    calibrationCommand(program);
    return program.parseAsync(['calibration', ...args], { from: 'user' });
  };

  it('with `--key` and no model reports that rate (a key names a rate), not a refusal from `decisions`', async () => {
    await run('--key', 'email_open', '--json');
    const last = out.trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last).reports).toEqual([expect.objectContaining({ model: 'rates', key: 'email_open', n: 0 })]);
  });

  it('names its --key flag in a refusal, not the API\'s `key` field (it said "The `key` `email_opn`…")', async () => {
    await expect(run('--key', 'email_opn')).rejects.toThrow(/^The --key "email_opn" is not a configured rate and has no recorded predictions\. Did you mean "email_open"\? The rates are email_open\.$/);
    await expect(run('decisions', '--key', 'email_open')).rejects.toThrow(/^The --key chooses one rate of "rates" or one action of "uplift"; "decisions" has one report and no keys\.$/);
    await expect(run('uplift', '--key', 'email')).rejects.toThrow(/^The --key "email" names no action of the live "uplift" version: no version is trained yet \(tact train uplift\)\.$/);
  });
});
