import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { KEYS, bearer, harness, openTestStore, type Harness } from '../../test/harness.js';
import { Tact } from '../server/tact.js';

/**
 * A Thompson placement's floor ε (`selection.floor`, the bandit's `floorEpsilon`) above the policy's
 * `exploration.budget` (its `maxExplorationShare`) is capped to the budget at every decision
 * (bandit-select.ts; docs/decisions.md). Until 2026-12-04 nothing said so: the catalog or policy
 * that made the contradiction was applied without a word, and a decision did not say its floor
 * was not the placement's.
 */
const actions = [
  { id: 'weak', name: 'Weak offer', channels: ['web'], value: 10 },
  { id: 'strong', name: 'Strong offer', channels: ['web'], value: 10 },
];
const catalog = (floor?: number) => ({
  actions,
  placements: [{ id: 'home', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'], ...(floor === undefined ? {} : { floor }) } }],
});

const put = (app: FastifyInstance, kind: string, document: unknown) =>
  app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
const decide = (app: FastifyInstance, subject: string) =>
  app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(), 'content-type': 'application/json' }, payload: { subject, placement: 'home', context: { mobile: true } } });
const operatorOf = async (app: FastifyInstance, id: string): Promise<string> => {
  const r = await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: { authorization: bearer() } });
  expect(r.statusCode).toBe(200);
  return r.json().explanation.operator;
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a bandit floor above the policy\'s exploration budget', () => {
  it('is applied with a warning naming the floor (`floorEpsilon`) and the budget when the catalog raises the floor', async () => {
    h = await harness('sqlite', { config: { catalog: catalog(0.01), policy: { exploration: { budget: 0.1 } } } });
    const r = await put(h.app, 'catalog', catalog(0.3));
    expect(r.statusCode).toBe(200);
    expect(r.json().version).toBe(2);
    const warnings: { field: string; message: string }[] = r.json().warnings;
    expect(warnings.map((w) => w.field)).toEqual(['placements[0].selection.floor']);
    expect(warnings[0].message).toContain('`placements[0].selection.floor` (0.3)');
    expect(warnings[0].message).toContain('`floorEpsilon`');
    expect(warnings[0].message).toContain('`exploration.budget` (0.1');
    expect(warnings[0].message).toContain('capped to 0.1');
  });

  it('is applied with a warning naming the budget and the floor when the policy lowers the budget', async () => {
    h = await harness('sqlite', { config: { catalog: catalog(0.2), policy: { exploration: { budget: 0.5 } } } });
    const r = await put(h.app, 'policy', { exploration: { budget: 0.05 } });
    expect(r.statusCode).toBe(200);
    const warnings: { field: string; message: string }[] = r.json().warnings;
    expect(warnings.map((w) => w.field)).toEqual(['exploration.budget']);
    expect(warnings[0].message).toContain('`exploration.budget` (0.05)');
    expect(warnings[0].message).toContain('`placements[0].selection.floor` (0.2)');
    expect(warnings[0].message).toContain('`floorEpsilon`');
  });

  it('warns of nothing when the floor fits in the budget, or is the default', async () => {
    h = await harness('sqlite', { config: { catalog: catalog(0.1), policy: { exploration: { budget: 0.1 } } } });
    expect((await put(h.app, 'catalog', catalog(0.05))).json().warnings).toEqual([]);
    // No floor written: the default 0.01 follows the budget (docs/decisions.md), even a budget of 0.
    expect((await put(h.app, 'catalog', catalog())).json().warnings).toEqual([]);
    expect((await put(h.app, 'policy', { exploration: { budget: 0 } })).json().warnings).toEqual([]);
    // Another kind: nothing to say.
    expect((await put(h.app, 'features', [])).json().warnings).toEqual([]);
  });

  it('is named in the explanation of a decision whose floor was capped, and only then', async () => {
    h = await harness('sqlite', { config: { catalog: catalog(0.3), policy: { exploration: { budget: 0.1 } } } });
    const capped = await decide(h.app, 'visitor-1');
    expect(capped.statusCode).toBe(200);
    const said = await operatorOf(h.app, capped.json().decisionId);
    expect(said).toContain('The placement\'s bandit floor (`selection.floor` 0.3, the bandit\'s `floorEpsilon`) is above the policy\'s `exploration.budget` (0.1): it was capped to 0.1.');

    await put(h.app, 'policy', { exploration: { budget: 0.5 } });
    const fits = await decide(h.app, 'visitor-2');
    expect(await operatorOf(h.app, fits.json().decisionId)).not.toContain('capped');
  });

  it('is not named in the explanation of a subject in the global holdout, which is not explored for', async () => {
    // The same contradiction as above; the holdout (pipeline.ts: inHoldout) takes every subject at share 1, none at share 0.
    h = await harness('sqlite', { config: { catalog: catalog(0.3), policy: { exploration: { budget: 0.1 }, holdout: { share: 1 } } } });
    const held = await decide(h.app, 'visitor-1');
    expect(held.statusCode).toBe(200);
    const logged = (await h.app.inject({ method: 'GET', url: `/v1/decisions/${held.json().decisionId}`, headers: { authorization: bearer() } })).json();
    expect(logged.arm).toBe('holdout');
    expect(logged.explanation.operator).not.toContain('capped');
    expect(logged.explanation.operator).not.toContain('floorEpsilon');

    // The control: the same subject out of the holdout is told.
    await put(h.app, 'policy', { exploration: { budget: 0.1 }, holdout: { share: 0 } });
    const explored = await decide(h.app, 'visitor-1');
    expect(await operatorOf(h.app, explored.json().decisionId)).toContain('it was capped to 0.1.');
  });

  it('is logged at start when the config file applies it, once both sections are in', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const lines: { level: number; msg: string; kind?: string; field?: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const start = (sections: Record<string, unknown>) => Tact.create({ store, logger, background: false, configFile: { path: 'tact.config.yaml', sections } });
    try {
      // The catalog is applied before the policy: against the default budget 0.05 its floor 0.1 would be capped, not against the file's 0.2.
      await (await start({ catalog: catalog(0.1), policy: { exploration: { budget: 0.2 } } })).close();
      expect(lines.filter((l) => l.level === 40)).toEqual([]);
      await (await start({ catalog: catalog(0.1), policy: { exploration: { budget: 0.05 } } })).close();
      const warned = lines.filter((l) => l.level === 40);
      expect(warned.map((w) => [w.kind, w.field])).toEqual([['policy', 'exploration.budget']]);
      expect(warned[0].msg).toMatch(/^The `policy` section of tact\.config\.yaml is applied with a warning: exploration\.budget: The `exploration\.budget` \(0\.05\) is below the `placements\[0\]\.selection\.floor` \(0\.1\) .*`floorEpsilon`/);
    } finally {
      await cleanup();
    }
  });
});
