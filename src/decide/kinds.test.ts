import { describe, expect, it } from 'vitest';
import { KEYS, bearer, harness } from '../../test/harness.js';
import { shopCatalog, shopFeatures, shopPolicy } from './fixtures.js';
import { catalogKind, policyKind } from './kinds.js';

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('catalog and policy documents', () => {
  it('accept the shop example', () => {
    expect(catalogKind.check(shopCatalog())).toEqual([]);
    expect(policyKind.check(shopPolicy())).toEqual([]);
  });

  it('name every bad field of a catalog', () => {
    const bad = {
      actions: [
        { id: 'a b', name: '', channels: [], value: 'lots', eligibility: 'features.orders >', start: 'soon', variants: [{ id: 'v', status: 'maybe' }], colour: 'red' },
        { id: 'dup', name: 'D', channels: ['web'] },
        { id: 'dup', name: 'D', channels: ['web'], attributionWindow: 'a week' },
      ],
      placements: [{ id: 'p', channel: 'web', slots: 0, actions: ['ghost'], safeDefault: 'ghost2' }],
    };
    expect(fields(catalogKind.check(bad))).toEqual([
      'actions[0].colour', 'actions[0].id', 'actions[0].name', 'actions[0].channels', 'actions[0].value', 'actions[0].eligibility', 'actions[0].start',
      'actions[0].variants[0].status', 'actions[2].id', 'actions[2].attributionWindow', 'placements[0].slots', 'placements[0].actions[0]', 'placements[0].safeDefault',
    ]);
  });

  it('name every bad field of a policy', () => {
    const bad = {
      rules: [{ name: 'r', stage: 'whenever', when: '1 +' }, { name: 'x', when: 'true' }],
      contact: { caps: [{ max: -1 }], quietHours: { from: '9pm', to: '08:00', timezone: 'Mars/Olympus' }, budgets: [{ channel: 'email', max: 10, window: '1d', borrowAfter: 2 }] },
      humanTerritory: [{ name: 't', queue: 'q' }],
      levers: [{ name: 'l' }],
      exploration: { budget: 1.5 },
      outcomes: { rewards: { conversion: 'revenue' }, attribution: { model: 'first' } },
      retention: { days: 0 },
    };
    expect(fields(policyKind.check(bad))).toEqual([
      'rules[0].stage', 'rules[0].when', 'rules[1].stage', 'contact.caps[0].max', 'contact.caps[0].window', 'contact.quietHours.from', 'contact.quietHours.timezone',
      'contact.budgets[0].borrowAfter', 'humanTerritory[0]', 'levers[0].weight', 'exploration.budget', 'outcomes.rewards.conversion', 'outcomes.attribution.model', 'retention.days',
    ]);
  });

  it('are versioned through the configuration API, and a bad one is refused naming the field', async () => {
    // The features the shop's policy reads: a rule reading a feature not defined is refused (decision-names.test.ts).
    const h = await harness('sqlite', { config: { features: shopFeatures } });
    const put = (kind: string, document: unknown) => h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
    expect((await put('catalog', shopCatalog())).json().version).toBe(1);
    const r = await put('policy', { rules: [{ name: 'r', stage: 'suitability', when: 'traits.plan ==' }] });
    expect(r.statusCode).toBe(400);
    expect(r.json().problems[0].field).toBe('rules[0].when');
    // an install whose policy maps no track events to outcomes follows no events at all
    expect(Object.keys(await h.tact.consumers.lag())).not.toContain('decide-outcomes');
    expect((await put('policy', shopPolicy())).json().version).toBe(1);
    expect(Object.keys(await h.tact.consumers.lag())).toContain('decide-outcomes');
    expect(h.tact.decide.playbook().policyVersion).toBe(1);
    expect(h.tact.decide.playbook().catalog.placements.get('home')!.candidates.map((a) => a.id)).toEqual(['shoes-offer', 'socks-offer', 'service-followup', 'loan-offer', 'newsletter']);
    await h.close();
  });
});
