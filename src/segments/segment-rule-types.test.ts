import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';
import { compileRule, testRule } from '../rules/cel.js';
import { ingest, putConfig, track } from '../store/conformance/learn-helpers.js';
import { FAILING_RULE_EVALUATIONS, RuleErrors } from './rule-errors.js';
import { checkSegmentNames } from './segments-kind.js';

const features = [
  { name: 'orders', kind: 'count', event: 'Order Completed' },
  { name: 'last_order', kind: 'last_seen', event: 'Order Completed' },
  { name: 'plan', kind: 'last_value', event: 'Signed Up', property: 'plan' },
];
const configured: Record<string, unknown> = { features, rates: [{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '1d' }] };
const documents = { latest: async (kind: string) => (kind in configured ? { body: configured[kind] } : undefined) } as unknown as Parameters<typeof checkSegmentNames>[1];
const problemsOf = async (...when: string[]) => (await checkSegmentNames({ audiences: when.map((w, i) => ({ name: `s${i}`, when: w })) }, documents)).map((p) => p.message);

describe('a segment rule comparing a value of a known type with one of another', () => {
  it('fails or gives the same answer for every subject when it runs (why it is refused)', () => {
    const vars = { features: { orders: 3 }, microSegment: 2 };
    expect(testRule(compileRule('features.orders > "x"'), vars)).toEqual({ pass: false, error: 'no such overload: dyn<double> > string' });
    expect(testRule(compileRule('microSegment == "2"'), vars)).toEqual({ pass: false });
  });

  it('is refused when written, naming the rule, the two values and what each holds', async () => {
    expect(await problemsOf('features.orders > "x"')).toEqual([
      'The rule in `audiences[0].when` compares `features.orders`, a number (a count feature), with `"x"`, a string: the two cannot be ordered, so the rule would fail for every subject. Compare it with a number.',
    ]);
    expect(await problemsOf('microSegment == "x"')).toEqual([
      'The rule in `audiences[0].when` compares `microSegment`, a number (the index of the micro-segment), with `"x"`, a string: values of two types are never equal, so `==` would be false for every subject. Compare it with a number.',
    ]);
    // Inside a larger rule, either way round, against another declared value, or with `!=` (true for everyone).
    expect(await problemsOf('features.orders >= 1.0 && "2024-01-01" < features.last_order')).toEqual([expect.stringMatching(/compares `"2024-01-01"`, a string, with `features\.last_order`, a timestamp \(a last_seen feature\): the two cannot be ordered.* Compare it with a timestamp\.$/)]);
    expect(await problemsOf('features.orders > features.last_order')).toEqual([expect.stringMatching(/compares `features\.orders`, a number \(a count feature\), with `features\.last_order`, a timestamp/)]);
    expect(await problemsOf('estimates.rates.email_open.status != 1')).toEqual([expect.stringMatching(/`estimates\.rates\.email_open\.status`, a string, with `1`, a number: values of two types are never equal, so `!=` would be true for every subject\. Compare it with a string\.$/)]);
    expect(await problemsOf('consent.Email == "yes"')).toEqual([expect.stringMatching(/`consent\.Email`, true or false, with `"yes"`, a string/)]);
    expect(await problemsOf('features.orders < null')).toEqual([expect.stringMatching(/with `null`, null: the two cannot be ordered/)]);
  });

  it('takes what may hold: the same types, numbers of either kind, null for equality, values from data, time arithmetic', async () => {
    expect(await problemsOf(
      'features.orders > 1 && features.orders == 2.0 && microSegment == 2 && microSegment != null',
      'features.last_order != null && features.last_order < now - duration("720h") && features.last_order > timestamp("2024-01-01T00:00:00Z")',
      'features.plan == "pro" && traits.age > 30.0 && features.plan > 3.0 && consent.Email == true && events["Order Completed"].count >= -1',
      'estimates.rates.email_open.status == "established" && estimates.rates.email_open.value > 0.3 && now - features.last_order > duration("24h")',
      '[1, 2].exists(x, x == "a") || size(traits.tags) > 0',
    )).toEqual([]);
  });
});

describe('a segment rule that can never hold, written through the API', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field, and nothing is stored', async () => {
    h = await harness('sqlite', { config: { features } });
    const r = await putConfig(h, 'segments', { audiences: [{ name: 'ok', when: 'features.orders > 1.0' }, { name: 'bad', when: 'features.orders > "x"' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'audiences[1].when', message: expect.stringMatching(/^The rule in `audiences\[1\]\.when` compares `features\.orders`/) }]);
    expect((await get(h.app, '/v1/segments')).json().segments).toEqual([]);
  });
});

describe('a segment rule that fails for everyone on values whose type the check could not know', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is warned of once every evaluation of it failed, at least 20 of them; one that ran, or too few, is not', () => {
    const errors = new RuleErrors();
    const when = 'features.plan > 3.0';
    for (let i = 1; i < FAILING_RULE_EVALUATIONS; i++) errors.note('s', when, 'no such overload: dyn<string> > double', i);
    expect(errors.warning('s', when)).toBeUndefined();
    errors.note('s', when, 'no such overload: dyn<string> > double', 99);
    expect(errors.warning('s', when)).toMatch(/^Each of the 20 evaluations of this rule in this process failed \(the last: no such overload: dyn<string> > double\), so the segment holds no one\./);
    errors.ran('s', when);
    expect(errors.warning('s', when)).toBeUndefined();
    // Counted per expression: an edit starts afresh.
    expect(errors.of('s', 'features.plan == "pro"')).toBeUndefined();
  });

  it('GET /v1/segments says so beside the failed evaluations (QA: a last_value feature holding strings compared with 3.0 took 200 with no warning)', async () => {
    const lastViewed = { name: 'last_viewed_category', kind: 'last_value', event: 'Product Viewed', property: 'category' };
    h = await harness('sqlite', { config: { features: [...features, lastViewed] } });
    const t = Date.now() - 60_000;
    await ingest(h, Array.from({ length: 25 }, (_, i) => track(`u-${i}`, 'Product Viewed', { category: 'shoes' }, t + i)));
    const r = await putConfig(h, 'segments', { audiences: [{ name: 'strcmp', when: 'features.last_viewed_category > 3.0' }, { name: 'shoes', when: 'features.last_viewed_category == "shoes"' }] });
    expect(r.statusCode, r.body).toBe(200);
    await h.tact.consumers.runAll();
    const segments = (await get(h.app, '/v1/segments')).json().segments as Record<string, unknown>[];
    expect(segments.find((x) => x.name === 'strcmp')).toMatchObject({ members: 0, errors: 25, warning: expect.stringMatching(/^Each of the 25 evaluations .*dyn<string> > double.*so the segment holds no one/) });
    expect(segments.find((x) => x.name === 'shoes')).toMatchObject({ members: 25, errors: 0 });
    expect(segments.find((x) => x.name === 'shoes')).not.toHaveProperty('warning');
  });
});
