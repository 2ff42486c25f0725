import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { KEYS, bearer, harness, openTestStore, type Harness } from '../../test/harness.js';
import { Tact } from '../server/tact.js';

/**
 * A document that is valid but contradicts another (a placement's bandit floor above the policy's
 * exploration budget, src/decide/exploration-floor.ts) is applied with warnings. Until 2026-12-04
 * only the PUT answer carried them: a read of the kind said nothing, so an operator who had not
 * seen that answer never learnt of the contradiction; and a config file whose two sections made
 * it logged it twice at start, once from each side.
 */
const actions = [
  { id: 'weak', name: 'Weak offer', channels: ['web'], value: 10 },
  { id: 'strong', name: 'Strong offer', channels: ['web'], value: 10 },
];
const placement = (id: string, floor: number) => ({ id, channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'], floor } });
const catalog = (...floors: number[]) => ({ actions, placements: floors.map((f, i) => placement(`p${i}`, f)) });
const policy = (budget: number) => ({ exploration: { budget } });

const put = async (app: FastifyInstance, kind: string, document: unknown) => {
  const r = await app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};
const read = async (app: FastifyInstance, kind: string): Promise<{ version: number; warnings: { field: string; message: string }[] }> => {
  const r = await app.inject({ method: 'GET', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.server) } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

describe('a read of a configuration kind', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers the warnings of the version in force, against the other documents as they are now', async () => {
    h = await harness('sqlite');
    await put(h.app, 'catalog', catalog(0.2));
    await put(h.app, 'policy', policy(0.1));
    const c = await read(h.app, 'catalog');
    expect(c.warnings.map((w) => w.field)).toEqual(['placements[0].selection.floor']);
    expect(c.warnings[0].message).toContain('`placements[0].selection.floor` (0.2)');
    expect(c.warnings[0].message).toContain('`exploration.budget` (0.1, policy version 1)');
    const p = await read(h.app, 'policy');
    expect(p.warnings.map((w) => w.field)).toEqual(['exploration.budget']);
    expect(p.warnings[0].message).toContain('`exploration.budget` (0.1) is below the `placements[0].selection.floor` (0.2)');

    // The catalog did not change; the policy it contradicted did: its read follows.
    await put(h.app, 'policy', policy(0.3));
    expect((await read(h.app, 'catalog')).warnings).toEqual([]);
    expect((await read(h.app, 'policy')).warnings).toEqual([]);
    await put(h.app, 'policy', policy(0.15));
    expect((await read(h.app, 'catalog')).warnings[0].message).toContain('`exploration.budget` (0.15, policy version 3)');
  });

  it('answers the warnings of a kind never written, whose empty document is in force (the default budget)', async () => {
    h = await harness('sqlite');
    await put(h.app, 'catalog', catalog(0.2));
    const p = await read(h.app, 'policy');
    expect(p.version).toBe(0);
    // policy-compile.ts: DEFAULT_EXPLORATION_BUDGET, 0.05.
    expect(p.warnings.map((w) => w.message)).toEqual([expect.stringContaining('`exploration.budget` (0.05, the default) is below the `placements[0].selection.floor` (0.2)')]);
  });

  it('answers no warnings of a stored version that does not pass the checks: its problems first', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    // A misspelt key an earlier version took (stored-checks.test.ts), in a policy whose budget caps the floor.
    await store.documents.put('catalog', catalog(0.2), { author: 'old version', reason: 'test' });
    await store.documents.put('policy', { ...policy(0.1), holdot: { share: 0.1 } }, { author: 'old version', reason: 'test' });
    h = await harness('sqlite', { store });
    try {
      const p = await read(h.app, 'policy') as Awaited<ReturnType<typeof read>> & { problems: { field: string }[] };
      expect(p.problems.map((x) => x.field)).toEqual(['holdot']);
      expect(p.warnings).toEqual([]);
      // The catalog passes: its warning reads the policy in force, as stored.
      expect((await read(h.app, 'catalog')).warnings[0].message).toContain('`exploration.budget` (0.1, policy version 1)');
    } finally {
      await h.close();
      h = undefined;
      await cleanup().catch(() => undefined);
    }
  });

  it('answers no warnings for a kind that has nothing to say, and declares them in the OpenAPI document', async () => {
    h = await harness('sqlite');
    await put(h.app, 'features', []);
    expect((await read(h.app, 'features')).warnings).toEqual([]);
    expect((await read(h.app, 'segments')).warnings).toEqual([]);
    const doc = (await h.app.inject({ url: '/openapi.json' })).json();
    const schema = doc.paths['/v1/config/{kind}'].get.responses['200'].content['application/json'].schema;
    expect(schema.properties.warnings.type).toBe('array');
    expect(schema.properties.warnings.description).toMatch(/against the other documents in force when it is read/);
  });
});

describe('a config file whose sections contradict each other', () => {
  /** Starts Tact on a fresh store with `sections` as its config file; answers the warnings logged. */
  async function warnedAtStart(sections: Record<string, unknown>): Promise<{ msg: string; kind?: string; field?: string; kinds?: string[] }[]> {
    const { store, cleanup } = await openTestStore('sqlite');
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    try {
      await (await Tact.create({ store, logger, background: false, configFile: { path: 'tact.config.yaml', sections } })).close();
    } finally {
      await cleanup();
    }
    return lines.filter((l) => l.level === 40);
  }

  it('logs each contradiction once at start, naming both sections, when it applies both', async () => {
    const warned = await warnedAtStart({ catalog: catalog(0.1), policy: policy(0.05) });
    expect(warned).toHaveLength(1);
    expect(warned[0].msg).toMatch(/^The `catalog` and `policy` sections of tact\.config\.yaml are applied with a warning: placements\[0\]\.selection\.floor: The `placements\[0\]\.selection\.floor` \(0\.1\) .*`exploration\.budget` \(0\.05/);
    expect(warned[0]).toMatchObject({ kind: 'catalog', field: 'placements[0].selection.floor', kinds: ['catalog', 'policy'] });
  });

  it('keeps one warning per contradiction: two placements above the budget are two', async () => {
    const warned = await warnedAtStart({ catalog: catalog(0.1, 0.2, 0.01), policy: policy(0.05) });
    expect(warned.map((w) => w.field)).toEqual(['placements[0].selection.floor', 'placements[1].selection.floor']);
  });
});
