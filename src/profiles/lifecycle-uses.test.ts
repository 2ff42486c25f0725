import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';

const lifecycle = {
  stages: [{ name: 'new', when: 'size(events) < 3' }, { name: 'churning', when: 'features.orders == 0.0' }, { name: 'loyal', when: 'true' }],
  valueTiers: [{ name: 'gold', when: 'features.orders >= 5.0' }, { name: 'standard', when: 'true' }],
};
const config = {
  features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }],
  lifecycle,
  segments: { audiences: [{ name: 'at_risk', when: 'lifecycle.stage == "churning"' }, { name: 'golden', when: 'lifecycle.valueTier in ["gold"]' }] },
  catalog: { actions: [{ id: 'winback', name: 'Win back', channels: ['email'], value: 5, eligibility: 'lifecycle.stage != "churning"' }], placements: [{ id: 'home', channel: 'email' }] },
  policy: { rules: [{ name: 'not_new', stage: 'eligibility', when: 'lifecycle.stage != "new"' }] },
};

describe('a lifecycle that no longer defines a stage or tier a stored rule compares with', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite', { config });
  });
  afterEach(async () => h.close());

  it('is taken with a warning naming each such rule, its document and the stage', async () => {
    const without = { stages: [lifecycle.stages[0], { ...lifecycle.stages[1], name: 'lapsing' }, lifecycle.stages[2]], valueTiers: [{ ...lifecycle.valueTiers[0], name: 'platinum' }, lifecycle.valueTiers[1]] };
    const r = await putConfig(h, 'lifecycle', without);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().warnings).toEqual([
      { field: 'stages', message: expect.stringMatching(/^The segment `at_risk` \(`audiences\[0\]\.when` of the segments\) compares `lifecycle\.stage` with `"churning"`, which is not a lifecycle stage.*The stages are new, lapsing, loyal\. As written, `==` would be false for every subject\. Change the rule \(a change to the segments is refused until it is\), or keep the stage\.$/) },
      { field: 'valueTiers', message: expect.stringContaining('The segment `golden` (`audiences[1].when` of the segments) compares `lifecycle.valueTier` with `"gold"`, which is not a value tier') },
      { field: 'stages', message: expect.stringContaining('The action `winback` (`actions[0].eligibility` of the catalog) compares `lifecycle.stage` with `"churning"`') },
    ]);
    // The same warnings on a read, and none once the lifecycle defines them again.
    expect((await get(h.app, '/v1/config/lifecycle')).json().warnings).toHaveLength(3);
    const back = await putConfig(h, 'lifecycle', lifecycle);
    expect(back.json().warnings).toEqual([]);
  });

  it('is taken without a word while every stage compared with is still defined', async () => {
    const r = await putConfig(h, 'lifecycle', { ...lifecycle, stages: [...lifecycle.stages, { name: 'dormant', when: 'false' }] });
    expect(r.json().warnings).toEqual([]);
  });

  it('is refused as before in a rule written to compare with it', async () => {
    const r = await putConfig(h, 'policy', { rules: [{ name: 'lapsed', stage: 'eligibility', when: 'lifecycle.stage == "lapsed"' }] });
    expect(r.statusCode).toBe(400);
    expect(r.json().problems[0].message).toContain('compares `lifecycle.stage` with `"lapsed"`, which is not a lifecycle stage');
  });

  it('names every stage or tier a rule compares with that is gone, and says an entry of a list with defined names never matches', async () => {
    // One rule, two comparisons: a tier and a stage listed beside one still defined (QA 2026-12-06: only the first was named).
    const policy = { rules: [{ name: 'cheap_prospects', stage: 'eligibility', when: 'lifecycle.valueTier != "gold" && lifecycle.stage in ["new", "loyal"]' }] };
    expect((await putConfig(h, 'policy', policy)).statusCode).toBe(200);
    const r = await putConfig(h, 'lifecycle', { stages: [{ name: 'loyal', when: 'true' }, ...lifecycle.stages.slice(1, 2)], valueTiers: [lifecycle.valueTiers[1]] });
    const mine = (r.json().warnings as { field: string; message: string }[]).filter((w) => w.message.includes('cheap_prospects'));
    expect(mine.map((w) => w.field)).toEqual(['valueTiers', 'stages']);
    expect(mine[0].message).toContain('compares `lifecycle.valueTier` with `"gold"`, which is not a value tier');
    expect(mine[1].message).toContain('compares `lifecycle.stage` with `"new"`, which is not a lifecycle stage');
    expect(mine[1].message).toContain('As written, that entry of the list never matches.');
    // A list of names none of which is defined still never finds the stage at all.
    const none = await putConfig(h, 'policy', { rules: [{ name: 'gone', stage: 'eligibility', when: 'lifecycle.stage in ["lapsed", "gone"]' }] });
    expect(none.statusCode).toBe(400);
    expect(none.json().problems[0].message).toContain('As written, `in` would never find `lifecycle.stage` there.');
  });
});
