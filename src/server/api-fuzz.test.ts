import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClearAnswer } from '../../test/clear-answer.js';
import { KEYS, basic, bearer, harness, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { MODEL_NAMES } from '../models/train/training-kind.js';
import { documentKinds } from './tact.js';

/**
 * Bad input gets a clear error and never a crash: every write route of the OpenAPI document is sent
 * bodies and path parameters it does not expect, and must answer 2xx or a 4xx whose body names the
 * error and says what is wrong (a 400's problems each naming its field). Bounded: a fixed seed and a
 * fixed number of cases per route, on the embedded store in memory.
 */

type Operation = { tags?: string[]; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } };

/** Bodies that pass the schema, so that mutating one field reaches the handler behind it. */
const VALID: Record<string, Record<string, unknown>> = {
  '/v1/track': { userId: 'ana', event: 'Order Completed', properties: { revenue: 42, products: [{ product_id: 'sku-1' }] } },
  '/v1/identify': { userId: 'ana', traits: { email: 'ana@example.com' } },
  '/v1/page': { anonymousId: 'a-1', name: 'Home' },
  '/v1/screen': { userId: 'ana', name: 'Cart' },
  '/v1/group': { userId: 'ana', groupId: 'acme', traits: { name: 'Acme' } },
  '/v1/alias': { userId: 'ana', previousId: 'a-1' },
  '/v1/batch': { batch: [{ type: 'track', userId: 'ana', event: 'Product Viewed' }] },
  '/v1/decide': { subject: 'ana', placement: 'home', n: 2, context: { page: 'home' } },
  '/v1/decide/batch': { placement: 'home', audience: 'true', limit: 5 },
  '/v1/outcomes': { decisionId: '01J00000000000000000000000', type: 'click' },
  '/v1/flags': { subject: 'ana', name: 'procurement_delay', note: 'waiting', until: '2030-01-15' },
  '/v1/features': { name: 'fuzz_orders', kind: 'count', event: 'Order Completed' },
  '/v1/keys': { kind: 'server', label: 'fuzz' },
  '/v1/rerank': { subject: 'ana', items: [{ id: 'sku-1', relevance: 0.5 }, { id: 'sku-2', relevance: 0.2 }] },
  '/v1/recommendations': { subject: 'ana', n: 3 },
  '/v1/evaluate-policy': { placement: 'home', candidate: { exploration: 0.2 } },
  '/v1/models/{name}/promote': { version: 1 },
};

const anyJson = fc.jsonValue({ maxDepth: 3 });
/** A value of any JSON type, skewed to the awkward ones. */
const awkward = fc.oneof(
  anyJson,
  fc.constantFrom(null, '', ' ', 0, -1, 1e308, -0, true, false, [], {}, '__proto__', 'constructor', '2026-13-45T99:99:99Z', 'ü'.repeat(600), 'a\u0000b', '\ud800', '😀', '${x}', "'; DROP TABLE events; --"),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.integer(),
  fc.double({ noNaN: true }),
);

/** Path parameters: ids that exist nowhere, odd characters, empty-looking ones, and real names (models, configuration kinds). */
const param = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.constantFrom('x', '0', 'null', '..', 'a b', '%', 'ü', 'a\u0000b', '\ud800'),
  fc.constantFrom(...MODEL_NAMES, ...documentKinds.map((k) => k.kind)),
);

function bodyFor(path: string, op: Operation): fc.Arbitrary<unknown> {
  const props = Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {});
  const known = props.length ? fc.dictionary(fc.constantFrom(...props), awkward, { maxKeys: props.length }) : fc.constant({});
  const valid = VALID[path];
  const mutated = valid
    ? fc.tuple(fc.constantFrom(...Object.keys(valid)), awkward).map(([k, v]) => ({ ...valid, [k]: v }))
    : known;
  return fc.oneof(anyJson, known, mutated, fc.constant(valid ?? {}));
}

/** Another value of the same type, often accepted: so that what the validators let through reaches the code behind them. */
function sameType(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'number') return fc.oneof(fc.integer({ min: -10, max: 1_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 0.5, 1e9));
  if (typeof value === 'string') return fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', value.toUpperCase(), `${value} `, 'true', 'traits.plan == "pro"'));
  if (typeof value === 'boolean') return fc.boolean();
  return awkward;
}

/** A value with one field somewhere in it (at most `depth` levels down) replaced by an awkward one or another of its type. */
function mutate(value: unknown, depth: number): fc.Arbitrary<unknown> {
  if (value === null || typeof value !== 'object') return fc.oneof(awkward, sameType(value));
  if (depth === 0) return awkward;
  const keys = Object.keys(value);
  if (!keys.length) return awkward;
  return fc.constantFrom(...keys).chain((k) =>
    fc.oneof(awkward, mutate((value as Record<string, unknown>)[k], depth - 1)).map((v) => (Array.isArray(value) ? Object.assign([...value], { [k]: v }) : { ...value, [k]: v })),
  );
}

/**
 * PUT /v1/config/{kind}: the sections of the example configuration (tact.config.yaml) and of the
 * test shop, each with one field changed, so the compilers (CEL included) meet them.
 */
function configCases(): fc.Arbitrary<[string, unknown]> {
  return fc.constantFrom(...configSections()).chain(([kind, section]) => mutate(section, 4).map((document) => [kind, { document, reason: 'fuzz' }] as [string, unknown]));
}

/** The sections of the example configuration (tact.config.yaml), by kind. */
function exampleSections(): [string, unknown][] {
  const example = parseYaml(readFileSync(new URL('../../tact.config.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  return documentKinds.filter((k) => example[k.configKey] !== undefined).map((k) => [k.kind, example[k.configKey]] as [string, unknown]);
}

/** The sections of the example configuration and of the test shop, by kind. */
function configSections(): [string, unknown][] {
  return [...exampleSections(), ...Object.entries(shopConfig() as Record<string, unknown>)];
}

/**
 * PUT /v1/config: two to six sections of one configuration (the example's or the shop's, which
 * agree with themselves), or all of them, as one change, a few with one field changed.
 */
function changeCases(): fc.Arbitrary<unknown> {
  const sources = [exampleSections(), Object.entries(shopConfig() as Record<string, unknown>)];
  return fc.constantFrom(...sources)
    // Some sections, or all of them (a whole configuration as one change).
    .chain((sections) => fc.oneof(fc.uniqueArray(fc.constantFrom(...sections), { minLength: 2, maxLength: 6, selector: ([kind]) => kind }), fc.constant(sections)))
    .chain((picked) => fc.tuple(...picked.map(([kind, section]) => fc.oneof({ arbitrary: fc.constant(section), weight: 3 }, { arbitrary: mutate(section, 4), weight: 1 }).map((document) => [kind, document] as const))))
    .map((docs) => ({ documents: Object.fromEntries(docs), reason: 'fuzz' }));
}

/** A path segment: percent-encoded, and a lone surrogate (no URL can carry one) as the invalid UTF-8 bytes of one. */
const segment = (p: string) => {
  try {
    return encodeURIComponent(p);
  } catch {
    return `%ED%A0%80${encodeURIComponent(p.replace(/[\ud800-\udfff]/g, ''))}`;
  }
};

describe.each(['sqlite', 'postgres'] as const)('the API under bad input (%s)', (kind) => {
  let h: Harness;
  let routes: { method: string; path: string; op: Operation }[] = [];
  // PostgreSQL answers slower: fewer cases there, the same seed.
  const defaultRuns = kind === 'sqlite' ? 40 : 15;
  const numRuns = Number(process.env.TACT_FUZZ_RUNS ?? defaultRuns);
  // A bound for a hung test, in proportion to the runs asked for (TACT_FUZZ_RUNS=1500 took over 120 s on PostgreSQL).
  const timeout = 120_000 * Math.max(1, numRuns / defaultRuns);
  const seed = Number(process.env.TACT_FUZZ_SEED ?? 7);
  /** Ids that exist in this store (filled before the fuzz), mixed into the path parameters. */
  const realIds: string[] = [];
  const withReal = () => (realIds.length ? fc.oneof(param, fc.constantFrom(...realIds)) : param);

  beforeAll(async () => {
    h = await harness(kind, { config: shopConfig() });
    await h.app.ready();
    // A real decision, so that mutated outcomes reach the recorder and attribution, not only the 404.
    await h.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: basic(KEYS.write), 'content-type': 'application/json' }, payload: { userId: 'ana', context: { consent: { categoryPreferences: { Advertising: true } } } } });
    const decision = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server) }, payload: { subject: 'ana', placement: 'home' } });
    const decisionId = (decision.json() as { decisionId: string }).decisionId;
    VALID['/v1/outcomes'] = { decisionId, type: 'click', value: 3 };
    // Real ids for the path parameters, so that clearing, approving and rejecting reach their code:
    // a flag, and the review a high-stakes offer opens for a finance customer.
    const flag = await h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { subject: 'ana', name: 'procurement_delay', note: 'budget in January' } });
    realIds.push((flag.json() as { id: string }).id);
    await h.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: basic(KEYS.write), 'content-type': 'application/json' }, payload: { userId: 'fin', traits: { segment: 'finance' }, context: { consent: { categoryPreferences: { Advertising: true } } } } });
    for (let i = 0; i < 5; i++) await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.server) }, payload: { subject: 'fin', placement: 'home' } });
    const reviews = await h.app.inject({ method: 'GET', url: '/v1/reviews', headers: { authorization: bearer(KEYS.admin) } });
    realIds.push(...(reviews.json() as { reviews: { id: string }[] }).reviews.map((r) => r.id), decisionId);
    const doc = h.app.swagger() as { paths: Record<string, Record<string, Operation>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([m]) => m !== 'get').map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers every write route 2xx or a 4xx that names what is wrong, never a 5xx', async () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const { method, path, op } of routes) {
      const collect = op.tags?.includes('collect');
      const authorization = collect ? basic(KEYS.write) : bearer(KEYS.admin);
      // Revoking the key the test sends with would only test the 401 from then on.
      const params = path === '/v1/keys/{id}' ? param.filter((p) => !p.includes('admin')) : withReal();
      const cases: fc.Arbitrary<[string, unknown]> = path === '/v1/config/{kind}' ? fc.oneof(configCases(), fc.tuple(params, bodyFor(path, op)))
        : path === '/v1/config' ? fc.tuple(params, fc.oneof(changeCases(), bodyFor(path, op)))
        : fc.tuple(params, bodyFor(path, op));
      await fc.assert(
        fc.asyncProperty(cases, async ([p, body]) => {
          const url = path.replace(/\{[^}]+\}/g, segment(p));
          const res = await h.app.inject({ method: method as 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
          expectClearAnswer(`${method} ${url}`, body, res);
          if ((path === '/v1/config/{kind}' || path === '/v1/config') && res.statusCode === 200) {
            // A configuration the validators accepted: deciding and collecting under it answer, never crash.
            for (const [u, b, auth] of [['/v1/decide', { subject: 'ana', placement: 'home', n: 2 }, bearer(KEYS.admin)], ['/v1/track', { userId: 'ana', event: 'Order Completed', properties: { revenue: 5 } }, basic(KEYS.write)]] as const) {
              const after = await h.app.inject({ method: 'POST', url: u, headers: { authorization: auth }, payload: b });
              expectClearAnswer(`POST ${u} after PUT ${url} with ${JSON.stringify(body)?.slice(0, 300)}`, b, after);
            }
          }
        }),
        { numRuns, seed, endOnFailure: true },
      );
    }
    // Whatever the fuzz got accepted (keys, flags, features, configuration), the server still does
    // its work once the shop's configuration is put back (a fuzzed catalog may rightly have none),
    // every other kind as empty — as one change: one kind at a time, a document may be refused while
    // one the fuzz left still reads what it would remove (the example's lifecycle reading a feature
    // the shop's features lack: "change that first").
    const shop = shopConfig() as Record<string, unknown>;
    const documents = { ...Object.fromEntries(documentKinds.map((k) => [k.kind, k.empty])), ...shop };
    const back = await h.app.inject({ method: 'PUT', url: '/v1/config', headers: { authorization: bearer(KEYS.admin) }, payload: { documents, reason: 'after the fuzz' } });
    expect(back.statusCode, back.body).toBe(200);
    const track = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: basic(KEYS.write), 'content-type': 'application/json' }, payload: { userId: 'after-fuzz', event: 'Signed Up' } });
    expect(track.statusCode, track.body).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/v1/profiles/after-fuzz', headers: { authorization: bearer(KEYS.admin) } })).statusCode).toBe(200);
    const decide = await h.app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization: bearer(KEYS.admin) }, payload: { subject: 'after-fuzz', placement: 'home' } });
    expect(decide.statusCode, decide.body).toBe(200);
  }, timeout);

  it('answers every read route with odd path and query parameters 2xx or a 4xx that names what is wrong, never a 5xx', async () => {
    const doc = h.app.swagger() as { paths: Record<string, Record<string, Operation & { parameters?: { in: string; name: string }[] }>> };
    const reads = Object.entries(doc.paths).flatMap(([path, ops]) => (ops.get ? [{ path, op: ops.get }] : []));
    expect(reads.length).toBeGreaterThan(20);
    const queryValue = fc.oneof(param, fc.constantFrom('-1', '0', '1e308', '99999999999999999999', '2026-13-45', '2026-01-01T00:00:00Z', 'true', '[]', '{}', ''), fc.integer().map(String), fc.double({ noNaN: true }).map(String));
    for (const { path, op } of reads) {
      if (path === '/metrics' || path.startsWith('/docs')) continue;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const cases = fc.tuple(withReal(), fc.dictionary(query.length ? fc.constantFrom(...query) : fc.constant('x'), queryValue, { maxKeys: Math.max(1, query.length) }));
      await fc.assert(
        fc.asyncProperty(cases, async ([p, q]) => {
          const url = `${path.replace(/\{[^}]+\}/g, segment(p))}?${new URLSearchParams(q).toString()}`;
          const res = await h.app.inject({ method: 'GET', url, headers: { authorization: bearer(KEYS.admin) } });
          expectClearAnswer(`GET ${url}`, q, res);
        }),
        { numRuns, seed, endOnFailure: true },
      );
    }
  }, timeout);

  it('answers bodies that are not JSON at all with a 400 that says so', async () => {
    for (const { method, path, op } of routes.filter((r) => r.op.requestBody)) {
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const authorization = op.tags?.includes('collect') ? basic(KEYS.write) : bearer(KEYS.admin);
      const res = await h.app.inject({ method: method as 'POST', url, headers: { authorization, 'content-type': 'application/json' }, payload: '{"a":' });
      expectClearAnswer(`${method} ${url}`, '{"a":', res);
      expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
    }
  });
});
