import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { KEYS, bearer, harness, openTestStore, type Harness } from '../../../test/harness.js';
import type { Message } from '../../collect/message.js';
import { checkFeature, compileFeature } from './definition.js';
import { matches } from './state.js';
import { featuresKind } from './features-kind.js';

describe('a feature definition refuses keys it does not take', () => {
  it('a stray key (an unquoted comma in a YAML flow mapping) is refused, naming it — not saved and ignored', () => {
    // What the example tact.config.yaml had: YAML ends the description at the comma.
    const [def] = parseYaml('- { name: orders_30d, kind: decayed_count, event: Order Completed, halfLife: 30d, description: Orders, with a 30-day half-life }') as unknown[];
    expect(def).toHaveProperty(['with a 30-day half-life'], null);
    expect(featuresKind.check([{ name: 'orders', kind: 'count', event: 'Order Completed' }, def])).toEqual([{
      field: 'features[1].with a 30-day half-life',
      message: expect.stringMatching(/^The `features\[1\]\.with a 30-day half-life` field is not one Tact knows here\. .*quote the value.* The fields of a decayed_count feature are name, kind, event, type, where, halfLife, description\.$/),
    }]);
  });

  it('a misspelt key gets the field path and the key it likely means', () => {
    const p = checkFeature({ name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d', halfLif: '7d' }, 'features[4]');
    expect(p).toEqual([{ field: 'features[4].halfLif', message: 'The `features[4].halfLif` field is not one Tact knows here. Did you mean `halfLife`? The fields of a decayed_count feature are name, kind, event, type, where, halfLife, description.' }]);
    // Close to a key only other kinds take: the guess says which kinds take it.
    expect(checkFeature({ name: 'orders', kind: 'count', event: 'Order Completed', halfLif: '7d' }, 'features[0]')[0].message)
      .toBe('The `features[0].halfLif` field is not one Tact knows here. Did you mean `halfLife` (which only decayed_count and decayed_sum features take)? The fields of a count feature are name, kind, event, type, where, description.');
    // Case is a slip too; a far-off name gets no guess.
    expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', Property: 'revenue', property: 'revenue' })[0]).toMatchObject({ field: 'feature.Property', message: expect.stringMatching(/Did you mean `property`\?/) });
    expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue', colour: 'red' })[0].message).not.toMatch(/Did you mean/);
  });

  it('a key another kind takes says which kinds take it (it would be ignored)', () => {
    expect(checkFeature({ name: 'orders', kind: 'count', event: 'Order Completed', property: 'revenue' }, 'features[0]')).toEqual([{
      field: 'features[0].property',
      message: 'A count feature takes no `property` (it would be ignored): only sum, mean, min, max, decayed_sum, unique and last_value features do. The fields of a count feature are name, kind, event, type, where, description.',
    }]);
    expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue', halfLife: '7d' }, 'f')).toEqual([{ field: 'f.halfLife', message: expect.stringMatching(/^A sum feature takes no `halfLife` \(it would be ignored\): only decayed_count and decayed_sum features do\./) }]);
    expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue', limit: 10 }, 'f')).toEqual([{ field: 'f.limit', message: expect.stringMatching(/^A sum feature takes no `limit` \(it would be ignored\): only unique features do\./) }]);
    expect(checkFeature({ name: 'seen', kind: 'last_seen', event: 'Order Completed', limit: 10, property: 'x' }, 'f').map((x) => x.field)).toEqual(['f.limit', 'f.property']);
  });

  it('every kind takes the keys it reads', () => {
    const all = { event: 'Order Completed', type: 'track', where: 'properties.revenue > 0.0', description: 'd' };
    const defs = [
      { name: 'a', kind: 'count', ...all },
      { name: 'b', kind: 'first_seen', ...all },
      { name: 'c', kind: 'last_seen', ...all },
      { name: 'd', kind: 'decayed_count', halfLife: '7d', ...all },
      { name: 'e', kind: 'decayed_sum', halfLife: '7d', property: 'revenue', ...all },
      ...(['sum', 'mean', 'min', 'max', 'last_value'] as const).map((kind) => ({ name: `f_${kind}`, kind, property: 'revenue', ...all })),
      { name: 'g', kind: 'unique', property: 'sku', limit: 5, ...all },
    ];
    expect(featuresKind.check(defs)).toEqual([]);
    // An unknown kind: its other problems are reported, and only keys no kind takes.
    expect(checkFeature({ name: 'x', kind: 'cout', event: 'E', property: 'p', halfLife: '7d', evnt: 'E' }, 'f').map((x) => x.field)).toEqual(['f.kind', 'f.evnt']);
  });
});

describe('a feature `property` that could never be read', () => {
  it('is refused, naming `property`: a path with an empty part, or one that starts at the message (`properties.revenue`), reads nothing in any event', () => {
    // extract() looks in `properties` (traits for identify and group): `properties.revenue` looks
    // for properties.properties.revenue, and `a..b` for a key "" under a; either sum stayed 0.
    for (const property of ['a..b', '.revenue', 'revenue.', 'products[].', '[]']) {
      expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property }, 'features[0]'), property).toEqual([{
        field: 'features[0].property',
        message: `The \`property\` ${JSON.stringify(property)} has an empty part: it is a dotted path of keys, such as "revenue" or "products[].price".`,
      }]);
    }
    expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'properties.revenue' }, '')).toEqual([{
      field: 'property',
      message: 'The `property` is a path inside the event\'s `properties` (its `traits` for identify and group calls), so "properties.revenue" reads properties.properties.revenue: write "revenue".',
    }]);
    expect(checkFeature({ name: 'plan', kind: 'last_value', type: 'identify', property: 'traits.plan' }, '')[0].message).toMatch(/write "plan"\.$/);
    for (const property of ['revenue', 'products[].price', 'tags[]', 'order.total']) expect(checkFeature({ name: 'spend', kind: 'sum', event: 'Order Completed', property }), property).toEqual([]);
  });
});

describe('a feature with a key it does not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is a 400 naming the field through the API (PUT and POST), and in a config file stops the start', async () => {
    h = await harness('sqlite');
    const post = await h.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin) }, payload: { name: 'views_7d', kind: 'decayed_count', event: 'Product Viewed', halfLife: '7d', halfLif: '7d' } });
    expect(post.statusCode, post.body).toBe(400);
    expect(post.json().problems).toEqual([{ field: 'halfLif', message: expect.stringMatching(/Did you mean `halfLife`\?/) }]);
    const put = await h.app.inject({ method: 'PUT', url: '/v1/config/features', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [{ name: 'orders', kind: 'count', event: 'Order Completed', property: 'revenue' }], reason: 'test' } });
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json().problems.map((p: { field: string }) => p.field)).toEqual(['features[0].property']);
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features: [{ name: 'orders_30d', kind: 'decayed_count', event: 'Order Completed', halfLife: '30d', description: 'Orders', 'with a 30-day half-life': null }] } }))
        .rejects.toThrow(/^The `features` section of test-config is not valid: features\[0\]\.with a 30-day half-life: The `features\[0\]\.with a 30-day half-life` field is not one Tact knows here/);
    } finally {
      await cleanup();
    }
  });
});

describe('a feature whose `where` reads a name the filter does not see', () => {
  it('is refused, naming the field and the closest variable — kept, it would never count an event', () => {
    // The filter sees {event, name, properties, traits, context}; CEL variables are dynamic, so
    // `propertes.revenue` compiles, fails on every event, and the feature stays at 0 for everyone.
    expect(checkFeature({ name: 'big_orders', kind: 'count', event: 'Order Completed', where: 'propertes.revenue >= 100.0' }, 'features[2]')).toEqual([{
      field: 'features[2].where',
      message: 'The rule in `features[2].where` reads `propertes`, which is not a variable this rule sees: did you mean `properties`? The variables are event, name, category, properties, traits, context.',
    }]);
    // A profile's variables are not the filter's: it sees one event.
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'features.orders > 1.0' }, 'f')[0]).toMatchObject({ field: 'f.where', message: expect.stringContaining('reads `features`, which is not a variable this rule sees') });
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'event.name == "E"' }, 'f')[0]).toMatchObject({ field: 'f.where', message: expect.stringContaining('`event` is') });
    // What it does see is taken, data below properties, traits and context unchecked.
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'properties.a.b > 1.0 && event == "E" && traits.plan == "pro" && context.locale == "fr"' }, 'f')).toEqual([]);
  });
});

describe('a feature of page, screen, identify or group calls given an `event`', () => {
  it('is refused, naming `event`: those calls carry no event name, so it would count nothing', () => {
    // `event` is a track call's name; a page call's is `name`. { type: page, event: Pricing } was
    // taken and matched no page call ever (m.event is undefined on one).
    expect(checkFeature({ name: 'pricing_views', kind: 'count', type: 'page', event: 'Pricing' }, 'features[0]')).toEqual([{
      field: 'features[0].event',
      message: 'A feature of page calls takes no `event`: that is a track call\'s name, and a page call carries none, so it would count nothing. Choose the page by its name with `where: \'name == "Pricing"\'`.',
    }]);
    expect(checkFeature({ name: 'x', kind: 'count', type: 'identify', event: 'Signed Up' }, 'f')[0]).toMatchObject({ field: 'f.event', message: expect.stringMatching(/^A feature of identify calls takes no `event`: .* Remove it, or filter with `where`\.$/) });
    expect(checkFeature({ name: 'x', kind: 'count', type: 'track', event: 'Signed Up' }, 'f')).toEqual([]);
    expect(checkFeature({ name: 'x', kind: 'count', type: 'screen', where: 'name == "Home"' }, 'f')).toEqual([]);
  });

  it('counts the views of one page or screen by its name, through `where`', () => {
    const pricing = compileFeature({ name: 'pricing_views', kind: 'count', type: 'page', where: 'name == "Pricing"' });
    const page = (name: string | undefined): Message => ({ messageId: `p-${name}`, type: 'page', name, properties: {}, context: {}, timestamp: 1, receivedAt: 1 });
    expect([matches(pricing, page('Pricing')), matches(pricing, page('Home')), matches(pricing, page(undefined))]).toEqual([true, false, false]);
  });

  it("reads a page or screen call's `category` (Segment's page spec; analytics-node sends a screen's only there)", () => {
    const docs = compileFeature({ name: 'docs_screens', kind: 'count', type: 'screen', where: 'category == "Docs"' });
    expect(checkFeature({ name: 'docs_screens', kind: 'count', type: 'screen', where: 'category == "Docs"' }, 'f')).toEqual([]);
    const screen = (category: string | undefined): Message => ({ messageId: `s-${category}`, type: 'screen', name: 'Home', ...(category ? { category } : {}), properties: {}, context: {}, timestamp: 1, receivedAt: 1 });
    expect([matches(docs, screen('Docs')), matches(docs, screen('Shop')), matches(docs, screen(undefined))]).toEqual([true, false, false]);
  });
});

describe('POST /v1/features with a problem in the feature sent', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('names the field of the body sent (`event`), not its place in the stored list (`features[2].event`)', async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed' }, { name: 'views', kind: 'count', event: 'Viewed' }] } });
    const post = (payload: object) => h!.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin) }, payload });
    const typo = await post({ name: 'spend', kind: 'sum', event: 'Order Completed', propery: 'revenue' });
    expect(typo.statusCode, typo.body).toBe(400);
    expect(typo.json().problems).toEqual([
      { field: 'property', message: 'A sum feature needs the `property` it aggregates, e.g. "revenue".' },
      { field: 'propery', message: 'The `propery` field is not one Tact knows here. Did you mean `property`? The fields of a sum feature are name, kind, event, type, property, where, description.' },
    ]);
    const where = await post({ name: 'big', kind: 'count', event: 'Order Completed', where: 'propertes.revenue > 100.0' });
    expect(where.json().problems).toEqual([{ field: 'where', message: expect.stringMatching(/^The rule in `where` reads `propertes`/) }]);
    // The stored list is untouched, and a good feature is still taken.
    expect((await post({ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' })).statusCode).toBe(201);
  });
});

describe('a feature whose `where` compares a field of the event with a value of another type', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused, naming the field: `event == 3` is false for every event, `event > 3` fails on every one', () => {
    // The filter's `event`, `name` and `category` are strings (or null): a number there never equals one.
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'event == 3' }, 'features[1]')).toEqual([{
      field: 'features[1].where',
      message: expect.stringMatching(/^The rule in `features\[1\]\.where` compares `event`, a string .*, with `3`, a number: values of two types are never equal, so `==` would be false for every event\. Compare it with a string\.$/),
    }]);
    expect(checkFeature({ name: 'x', kind: 'count', type: 'page', where: 'name > 1' }, 'f')[0]).toMatchObject({ field: 'f.where', message: expect.stringContaining('cannot be ordered, so the rule would fail for every event') });
    expect(checkFeature({ name: 'x', kind: 'count', type: 'screen', where: 'category != true' }, 'f')[0]).toMatchObject({ field: 'f.where', message: expect.stringContaining('compares `category`, a string') });
    // `timestamp` is not a variable of the filter (it sees no time): refused by name.
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'timestamp > "x"' }, 'f')[0]).toMatchObject({ field: 'f.where', message: expect.stringContaining('reads `timestamp`, which is not a variable this rule sees') });
    // What may hold is taken: strings, null (other calls), and data of any type below properties, traits and context.
    for (const where of ['event == "E"', 'event != null', 'name > "A"', 'properties.n == 3', 'properties.n > "x"', 'traits.age >= 18', 'context.page.path == 1', 'event == properties.kind']) {
      expect(checkFeature({ name: 'x', kind: 'count', type: 'track', where }, 'f'), where).toEqual([]);
    }
  });

  it('is a 400 naming `where` through POST /v1/features, and in a config file stops the start', async () => {
    h = await harness('sqlite');
    const post = await h.app.inject({ method: 'POST', url: '/v1/features', headers: { authorization: bearer(KEYS.admin) }, payload: { name: 'big', kind: 'count', event: 'Order Completed', where: 'event == 3' } });
    expect(post.statusCode, post.body).toBe(400);
    expect(post.json().problems).toEqual([{ field: 'where', message: expect.stringMatching(/^The rule in `where` compares `event`, a string/) }]);
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      await expect(harness('sqlite', { store, config: { features: [{ name: 'orders', kind: 'count', event: 'Order Completed', where: 'name == 3' }] } }))
        .rejects.toThrow(/^The `features` section of test-config is not valid: features\[0\]\.where: The rule in `features\[0\]\.where` compares `name`, a string/);
    } finally {
      await cleanup();
    }
  });
});

describe('a feature definition with a value of the wrong type, or a name no rule can read', () => {
  it('refuses a `where` that is not a string (YAML `where: true`), naming the field, rather than failing as invalid CEL', async () => {
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: true }, 'features[0]')).toEqual([{
      field: 'features[0].where',
      message: 'The `where` must be a CEL expression written as a string, such as \'properties.revenue > 100.0\'; it was true (a boolean). In YAML, quote it: `where: \'true\'`.',
    }]);
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 3 }, 'f')).toEqual([{ field: 'f.where', message: expect.stringMatching(/^The `where` must be a CEL expression written as a string.*; it was 3 \(a number\)\./) }]);
    const h = await harness('sqlite');
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/features', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [{ name: 'x', kind: 'count', event: 'E', where: true }], reason: 'test' } });
      expect(put.statusCode, put.body).toBe(400);
      expect(put.json().problems?.map((p: { field: string }) => p.field)).toEqual(['features[0].where']);
    } finally {
      await h.close();
    }
  });

  it('refuses a `description` that is not a string', () => {
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', description: ['a'] }, 'f')).toEqual([{ field: 'f.description', message: 'The `description` must be a string.' }]);
  });

  it('refuses the name `constructor`: CEL guards that key, so every rule reading it fails', () => {
    expect(checkFeature({ name: 'constructor', kind: 'count', event: 'E' }, 'f')).toEqual([{ field: 'f.name', message: expect.stringMatching(/^The name `constructor` cannot be read by a rule .*: choose another name\.$/) }]);
  });
});

describe('bounds a feature definition already holds to', () => {
  it('refuses a half-life of zero, a negative or unitless one, and a unique limit outside 1–10,000', () => {
    for (const halfLife of ['0d', '0', '-1d', '7', 7, '7 days', '']) {
      expect(checkFeature({ name: 'x', kind: 'decayed_count', event: 'E', halfLife }, 'f').map((p) => p.field), String(halfLife)).toEqual(['f.halfLife']);
    }
    for (const limit of [0, -1, 1.5, 10_001, '50']) {
      expect(checkFeature({ name: 'x', kind: 'unique', event: 'E', property: 'sku', limit }, 'f').map((p) => p.field), String(limit)).toEqual(['f.limit']);
    }
    expect(checkFeature({ name: 'x', kind: 'unique', event: 'E', property: 'sku', limit: 1 }, 'f')).toEqual([]);
  });
});

describe('small mistakes in a feature definition, refused through PUT /v1/config/features with a 400 naming the field', () => {
  const putFeatures = async (document: unknown[]) => {
    const h = await harness('sqlite');
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/features', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
      return { status: put.statusCode, problems: (put.json().problems ?? []) as { field: string; message: string }[], body: put.body };
    } finally {
      await h.close();
    }
  };

  it('a `where` that chooses the message type (`type == "page"`) says the definition\'s `type`/`event` choose it, not only "no such overload"', async () => {
    const r = await putFeatures([{ name: 'page_views', kind: 'count', type: 'page', where: 'type == "page"' }]);
    expect(r.status, r.body).toBe(400);
    expect(r.problems).toEqual([{ field: 'features[0].where', message: expect.stringMatching(/no such overload.*`type` in a `where` is CEL's type function, not the call's type: the calls a feature counts are chosen by the definition's `type` and `event` fields, not in `where`/) }]);
    for (const where of ['event == "E" && type != "track"', '"page" == type', 'type in ["page", "screen"]']) {
      expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where }, 'f')[0]?.message, where).toMatch(/chosen by the definition's `type` and `event` fields/);
    }
    // CEL's type function itself, and a property named type, are taken as before.
    expect(checkFeature({ name: 'x', kind: 'count', event: 'E', where: 'type(properties.n) == int && properties.type == "a" && context["type"] == "b"' }, 'f')).toEqual([]);
  });

  it('an `event` name of only spaces is refused (no track call is named so; it would count nothing)', async () => {
    for (const event of ['   ', '\t']) {
      const r = await putFeatures([{ name: 'orders', kind: 'count', event }]);
      expect(r.status, r.body).toBe(400);
      expect(r.problems).toEqual([{ field: 'features[0].event', message: expect.stringMatching(/^The `event` must name a track event.*blank/) }]);
    }
    expect(checkFeature({ name: 'x', kind: 'count', event: 'Order Completed' }, 'f')).toEqual([]);
  });

  it('a half-life under 1 second is refused, naming `halfLife` and the bound (event times are kept to the millisecond and sent with clock skew)', async () => {
    for (const halfLife of ['1ms', '999ms', '0.5s']) {
      const r = await putFeatures([{ name: 'views', kind: 'decayed_count', event: 'Product Viewed', halfLife }]);
      expect(r.status, r.body).toBe(400);
      expect(r.problems, halfLife).toEqual([{ field: 'features[0].halfLife', message: expect.stringMatching(/^The `halfLife` .* is shorter than the shortest one taken, 1s/) }]);
    }
    for (const halfLife of ['1s', '1000ms', '90m', '7d']) expect(checkFeature({ name: 'x', kind: 'decayed_sum', event: 'E', property: 'revenue', halfLife }, 'f'), halfLife).toEqual([]);
  });

  it('a half-life it cannot read is quoted and the form is said, not called missing; "0s" gets the bound', () => {
    // QA: "P7D", "7D", "1d2h", "-1d", "1e3s" and "0s" all read "A decayed feature needs a `halfLife` such as …".
    const message = (halfLife: unknown) => checkFeature({ name: 'x', kind: 'decayed_count', event: 'E', halfLife }, 'f').map((p) => `${p.field}: ${p.message}`);
    for (const halfLife of ['P7D', '1d2h', '-1d', '1e3s', '7 days', '']) {
      expect(message(halfLife), halfLife).toEqual([`f.halfLife: The \`halfLife\` ${JSON.stringify(halfLife)} was not understood: write one positive number and one lower-case unit — s, m, h, d or w (ms for milliseconds) — such as "7d", "12h", "1.5d" or "90m", at least 1s.`]);
    }
    expect(message('7D')[0]).toMatch(/^f\.halfLife: The `halfLife` "7D" was not understood: .* Units are lower case: write "7d"\.$/);
    expect(message(7)[0]).toMatch(/^f\.halfLife: The `halfLife` 7 \(a number\) was not understood: /);
    for (const halfLife of ['0s', '0d', '0.0h']) expect(message(halfLife)[0], halfLife).toMatch(/^f\.halfLife: The `halfLife` "0[.0]*[sdh]" is shorter than the shortest one taken, 1s/);
    expect(message(undefined)).toEqual(['f.halfLife: A decayed feature needs a `halfLife` such as "7d", "12h" or "30m".']);
    // What the parser takes: a fraction, w and ms.
    for (const halfLife of ['1.5d', '2w', '1000ms', ' 7d ']) expect(message(halfLife), halfLife).toEqual([]);
  });
});
