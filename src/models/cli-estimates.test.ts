import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, get, harness, send, type Harness } from '../../test/harness.js';
import { restoreEnv, testDir } from '../../test/tmp.js';
import { Rng } from '../learn/math/prng.js';
import { normal } from '../learn/math/samplers.js';
import { DAY, ingest, track } from '../store/conformance/learn-helpers.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/sqlite-store.js';
import { estimatesCommand, noProfileMatches } from './cli.js';

/**
 * `tact estimates` beside a server on the same embedded store: it answers what
 * GET /v1/profiles/{identifier}/estimates answers (anomaly flags, matchedBy and note included), and
 * a profile the server made after its last checkpoint is not called missing.
 */
describe('tact estimates beside a server', () => {
  let h: Harness;
  let store: SqliteStore;
  const saved = { ...process.env };
  beforeAll(async () => {
    const dir = testDir('tact-estimates-cli-');
    // No checkpoint but the ones the test makes: what the server made since stays out of the rows.
    store = await openSqliteStore({ path: join(dir, 'tact.db'), checkpointMs: 3_600_000 });
    h = await harness('sqlite', { store, config: { metrics: [{ name: 'session_length', event: 'Session Ended', property: 'duration' }] } });
    const rng = new Rng(4);
    const t0 = Date.now() - 50 * DAY;
    const steady = [];
    for (let d = 0; d < 40; d++) for (const hour of [9, 20]) steady.push(track('steady', 'Session Ended', { duration: Math.exp(5 + 0.3 * normal(rng)) }, t0 + d * DAY + hour * 3_600_000));
    steady.push(track('steady', 'Session Ended', { duration: 5000 }, t0 + 40 * DAY + 9 * 3_600_000));
    await ingest(h, steady);
    await store.collect.checkpoint();
    process.env.TACT_DATA_DIR = dir;
    delete process.env.TACT_DATABASE_URL;
  });
  afterAll(async () => {
    restoreEnv(saved);
    await h.close();
    await store.close();
  });
  afterEach(() => vi.restoreAllMocks());

  /** Runs `tact …args`; what it printed. */
  async function tact(...args: string[]): Promise<string> {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const program = new Command().exitOverride();
    estimatesCommand(program);
    await program.parseAsync(args, { from: 'user' });
    return out;
  }

  it('--json answers what the API answers: the anomaly flags, matchedBy and note too', async () => {
    const api = (await get(h.app, '/v1/profiles/steady/estimates', KEYS.server)).json();
    expect(api.anomalies.length).toBeGreaterThan(0);
    const cli = JSON.parse(await tact('estimates', 'steady', '--json'));
    expect(Object.keys(cli).sort()).toEqual(Object.keys(api).sort());
    expect(cli).toMatchObject({ id: api.id, matchedBy: { kind: 'userId', value: 'steady' }, anomalies: api.anomalies, note: api.note, segments: api.segments, microSegment: null });
    expect(cli.anomalies.find((a: { value: number }) => a.value === 5000)).toMatchObject({ metric: 'session_length', profileId: api.id });
    expect(cli.estimates.map((e: { model: string; key: string }) => `${e.model} ${e.key}`)).toEqual(api.estimates.map((e: { model: string; key: string }) => `${e.model} ${e.key}`));
  });

  it('prints the anomaly flags, and how the identifier found the profile', async () => {
    const text = await tact('estimates', 'steady');
    expect(text).toMatch(/^profile \S+ \(userId steady\)\n/);
    expect(text).toContain('  anomaly flags: newest first\n');
    expect(text).toMatch(/\n {4}\d{4}-\d\d-\d\dT\S+ {2}session_length 5000, outside its 98% range [\d.]+–[\d.]+ \(/);
  });

  it('does not call a profile made since the last checkpoint missing: it says why it may not be there, and how to read it now', async () => {
    expect((await send(h.app, '/v1/identify', { userId: 'e1', traits: { email: 'e1@x.io' } })).statusCode).toBe(200);
    expect((await get(h.app, `/v1/profiles/${encodeURIComponent('email:e1@x.io')}/estimates`, KEYS.server)).statusCode).toBe(200);
    const refusal = tact('estimates', 'email:e1@x.io');
    await expect(refusal).rejects.toThrow('No profile matched `email:e1@x.io` in the store as of the server\'s last checkpoint (every 10 s): a profile created in the last seconds may not be there yet. To read it now, ask the server: GET /v1/profiles/email%3Ae1%40x.io/estimates (server key).');
    await expect(refusal).rejects.not.toThrow('No profile matches');
    // Once the server has checkpointed, the command reads it.
    await store.collect.checkpoint();
    expect(JSON.parse(await tact('estimates', 'email:e1@x.io', '--json')).matchedBy).toEqual({ kind: 'email', value: 'e1@x.io' });
  });

  it('says the lag in --help', () => {
    const program = new Command();
    estimatesCommand(program);
    let help = '';
    program.commands[0].configureOutput({ writeOut: (s) => (help += s) }).outputHelp();
    expect(help.replace(/\s+/g, ' ')).toContain('reads the profiles as of the server\'s last checkpoint (every 10 s): a profile created in the last seconds may not be there yet. The server answers it at once: GET /v1/profiles/{identifier}/estimates');
  });
});

describe('why tact estimates found no profile', () => {
  it('keeps the API\'s sentence on PostgreSQL (it writes the states with each batch), and a misspelt kind\'s suggestion on the embedded store', () => {
    expect(noProfileMatches('ana', { code: 'not_found', message: 'No profile matches `ana`.' }, 'postgres')).toBe('No profile matches `ana`.');
    const typo = noProfileMatches('emial:ana@x.io', { code: 'unknown_identifier_kind', message: 'No profile matches `emial:ana@x.io`, and `emial` is not … did you mean `email:ana@x.io`? …' }, 'sqlite');
    expect(typo).toMatch(/^No profile matches `emial:ana@x.io`, and .*did you mean `email:ana@x.io`\? … This command reads the store as of the server's last checkpoint \(every 10 s\), so a profile created/);
    expect(typo.split('`').length % 2, 'backticks come in pairs').toBe(1);
  });
});
