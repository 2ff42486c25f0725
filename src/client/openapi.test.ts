import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import type { OutcomeRecord as ServerOutcomeRecord } from '../decide/records.js';
import { post } from '../decide/test-http.js';
import type { Estimate as ServerEstimate } from '../learn/estimate.js';
import { operations } from './operations.js';
import type { ApiErrorBody, Candidate, Choice, DecideRequest, DecideResponse, Decision, DecisionPage, DecisionQuery, Estimate, OutcomeRecord, OutcomeRequest, OutcomeResponse, OutcomeWarning, Profile, SubjectWarning } from './types.js';

/** Each field a type declares (index signatures aside), marked as the type marks it; tsc fails if one is missing, extra or mis-marked. */
type Fields<T> = { [K in keyof T as string extends K ? never : K]-?: {} extends Pick<T, K> ? 'optional' : 'required' };
const fields = <T>() => <F extends Fields<T>>(f: F & Record<Exclude<keyof F, keyof Fields<T>>, never>) => f as Record<string, 'optional' | 'required'>;

const decideRequest = fields<DecideRequest>()({ subject: 'required', placement: 'required', context: 'optional', n: 'optional', explain: 'optional' });
const outcomeRequest = fields<OutcomeRequest>()({ type: 'required', decisionId: 'optional', subject: 'optional', action: 'optional', item: 'optional', value: 'optional', messageId: 'optional', timestamp: 'optional' });
const decisionQuery = fields<DecisionQuery>()({ subject: 'optional', action: 'optional', placement: 'optional', from: 'optional', to: 'optional', after: 'optional', limit: 'optional' });
const decision = fields<Decision>()({ decisionId: 'required', at: 'required', placement: 'required', channel: 'optional', arm: 'optional', subject: 'optional', choices: 'required', explanation: 'required', outcomes: 'optional' });
const choice = fields<Choice>()({
  rank: 'required', kind: 'required', action: 'optional', item: 'optional', variant: 'optional', content: 'optional', queue: 'optional', score: 'optional',
  propensity: 'optional', propensityError: 'optional', exposurePropensity: 'optional', held: 'optional', explanation: 'optional', estimate: 'optional', uplift: 'optional', factors: 'optional',
});
const decideResponse = fields<DecideResponse>()({
  decisionId: 'required', at: 'required', placement: 'required', channel: 'optional', arm: 'optional', subject: 'optional', choices: 'required', explanation: 'required', outcomes: 'optional', warnings: 'optional',
});
const decisionPage = fields<DecisionPage>()({ decisions: 'required', next: 'required', warnings: 'optional' });
const subjectWarning = fields<SubjectWarning>()({ field: 'required', message: 'required', suggestion: 'required' });
const outcomeWarning = fields<OutcomeWarning>()({ field: 'required', message: 'required', suggestion: 'optional', reason: 'optional' });
const outcomeResponse = fields<OutcomeResponse>()({ recorded: 'required', duplicate: 'required', warnings: 'optional' });
const profile = fields<Profile>()({
  id: 'required', traits: 'required', features: 'required', events: 'required', consent: 'required', lifecycle: 'required', timezone: 'required', locale: 'required',
  matchedBy: 'required', createdAt: 'required', updatedAt: 'required', firstSeenAt: 'required', lastSeenAt: 'required', eventCount: 'required',
  consentHistory: 'required', consentHistoryStatus: 'required', identities: 'required', accounts: 'required', flags: 'required', merges: 'required', identityConflicts: 'required', recentEvents: 'required', note: 'required',
});
// Objects inside the answers: compared with the document's schemas, with the server's own types
// (tsc fails when the server's type gains a field these lists lack) and with real answers.
const estimate = fields<Estimate>()({
  value: 'required', low: 'required', high: 'required', level: 'required', evidence: 'required', source: 'required', status: 'required',
  modelVersion: 'required', updatedAt: 'required', reason: 'optional', open: 'optional', posterior: 'optional',
});
const serverEstimate = fields<ServerEstimate>()({
  value: 'required', low: 'required', high: 'required', level: 'required', evidence: 'required', source: 'required', status: 'required',
  modelVersion: 'required', updatedAt: 'required', reason: 'optional', open: 'optional', posterior: 'optional',
});
const outcomeRecord = fields<OutcomeRecord>()({
  id: 'required', at: 'required', profileKey: 'optional', type: 'required', value: 'required', decisionId: 'required', action: 'required', item: 'optional',
  credit: 'required', reward: 'required', success: 'required', source: 'required', recordedAt: 'optional',
});
const serverOutcomeRecord = fields<ServerOutcomeRecord>()({
  id: 'required', at: 'required', profileKey: 'required', type: 'required', value: 'required', decisionId: 'required', action: 'required', item: 'optional',
  credit: 'required', reward: 'required', success: 'required', source: 'required', recordedAt: 'optional',
});
const explanation = fields<Decision['explanation']>()({
  customer: 'required', operator: 'optional', policyVersion: 'optional', catalogVersion: 'optional', modelVersion: 'optional', experiment: 'optional',
  ladder: 'optional', excludedByStage: 'optional', handoff: 'optional', candidates: 'optional', facts: 'optional', absentFacts: 'optional', context: 'optional',
});
const candidate = fields<Candidate>()({
  action: 'required', status: 'required', score: 'optional', estimate: 'optional', uplift: 'optional', factors: 'optional', review: 'optional', approval: 'optional', stage: 'optional', rule: 'optional', reason: 'optional',
});
const apiError = fields<ApiErrorBody>()({ error: 'required', message: 'required', errorId: 'required', problems: 'optional', suggestion: 'optional' });

type Schema = { properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[]; additionalProperties?: unknown };

/**
 * The client's types as TypeScript reads them (src/client/types.ts), so the values of a field typed
 * as a union of strings can be compared with the document's `enum` at run time: until 2026-12-05
 * `Estimate.reason` was `'stale'` alone while the API also answers `'extrapolated'`, and the lists
 * of field names above could not see it.
 */
const typesFile = fileURLToPath(new URL('./types.ts', import.meta.url));
const program = ts.createProgram([typesFile], { strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022 });
const checker = program.getTypeChecker();
const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(typesFile)!)!).map((s) => [s.getName(), s]));
const clientType = (name: string) => checker.getDeclaredTypeOfSymbol(exported.get(name)!);

/** The string values a type takes: sorted, or what it is when it is not a union of string literals. */
function values(t: ts.Type): string[] {
  const members = t.isUnion() ? t.types : [t];
  return members.map((m) => (m.isStringLiteral() ? m.value : `(not a string literal: ${checker.typeToString(m)})`)).sort();
}

/**
 * Every `enum` of the schema, at any depth (objects, array items, anyOf/oneOf), takes the values of
 * the client type's field at the same place, no more, no fewer. A field the type does not declare
 * (an index signature's, one the client never sends) is left to {@link agrees}.
 */
function enumsAgree(what: string, type: ts.Type, schema: Schema | undefined): number {
  let compared = 0;
  if (!schema) return 0;
  const t = checker.getNonNullableType(type);
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) compared += enumsAgree(what, t, branch);
  if (schema.items) {
    const item = checker.getIndexTypeOfType(t, ts.IndexKind.Number);
    if (item) compared += enumsAgree(`${what}[]`, item, schema.items);
  }
  for (const [f, sub] of Object.entries(schema.properties ?? {})) {
    const prop = t.getProperty(f);
    if (!prop) continue;
    const ft = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
    if (sub.enum) {
      expect(values(ft), `${what}.${f}: the type's values and the API's enum`).toEqual(sub.enum.map(String).sort());
      compared++;
    }
    compared += enumsAgree(`${what}.${f}`, ft, sub);
  }
  return compared;
}
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };

/**
 * The type's fields are the schema's (both ways: none missing, none extra, but for the ones named in
 * `untyped`, which the client deliberately never sends), and what the schema requires the type requires.
 */
function agrees(what: string, type: Record<string, string>, schema: Schema | undefined, untyped: string[] = [], open: string[] = []) {
  expect(schema?.properties, `${what}: no schema`).toBeDefined();
  // `open`: fields some answers add to a schema that lets them (an error's `suggestion`).
  if (open.length) expect(schema!.additionalProperties, `${what}: the schema is closed to ${open.join(', ')}`).toBe(true);
  for (const f of Object.keys(type)) if (!open.includes(f)) expect(Object.keys(schema!.properties!), `${what}: the type's ${f}`).toContain(f);
  for (const f of Object.keys(schema!.properties!)) if (!untyped.includes(f)) expect(Object.keys(type), `${what}: the API's ${f}`).toContain(f);
  for (const r of schema!.required ?? []) expect(type[r], `${what}: the API requires ${r}`).toBe('required');
}

/** A real answer's object: every field it has is typed, every field the type requires it has. */
function answered(what: string, type: Record<string, string>, value: unknown) {
  expect(value, `${what}: no answer`).toBeTypeOf('object');
  for (const f of Object.keys(value as object)) expect(Object.keys(type), `${what}: the answer's ${f}`).toContain(f);
  for (const [f, mark] of Object.entries(type)) if (mark === 'required') expect(Object.keys(value as object), `${what}: the type requires ${f}`).toContain(f);
}

describe('the client\'s types and the OpenAPI document', () => {
  let h: Harness;
  let doc: { paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    h = await harness('sqlite', { config: shopConfig() });
    doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(async () => h.close());

  const op = (name: keyof typeof operations) => doc.paths[operations[name].path][operations[name].method.toLowerCase()];
  const answer = (name: keyof typeof operations, status = '200') => op(name).responses[status]?.content?.['application/json']?.schema;
  const body = (name: keyof typeof operations) => op(name).requestBody?.content['application/json']?.schema;

  it('agree for every request the client sends', () => {
    agrees('decide request', decideRequest, body('decide'));
    // The client sends its key in the Authorization header, never as the body's `writeKey` (which is for analytics.js-style senders).
    agrees('outcome request', outcomeRequest, body('outcome'), ['writeKey']);
    expect(Object.keys(decideRequest).sort()).toEqual([...operations.decide.body].sort());
    expect(Object.keys(outcomeRequest).sort()).toEqual([...operations.outcome.body].sort());
    expect(Object.keys(decisionQuery).sort()).toEqual([...operations.decisions.query].sort());
    expect((op('decisions').parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(Object.keys(decisionQuery).sort());
  });

  it('agree for every answer the client reads, errors included', () => {
    agrees('decide answer', decideResponse, answer('decide'));
    agrees('decision answer', decision, answer('decision'));
    for (const name of ['decide', 'decision'] as const) agrees(`${name} choice`, choice, answer(name)?.properties?.choices.items);
    agrees('decisions answer', decisionPage, answer('decisions'));
    agrees('decisions item', decision, answer('decisions')?.properties?.decisions.items);
    agrees('outcome answer', outcomeResponse, answer('outcome'));
    for (const name of ['decide', 'decisions'] as const) agrees(`${name} warning`, subjectWarning, answer(name)?.properties?.warnings.items);
    agrees('outcome warning', outcomeWarning, answer('outcome')?.properties?.warnings.items);
    agrees('profile answer', profile, answer('profile'));
    for (const name of Object.keys(operations) as (keyof typeof operations)[]) agrees(`${name} 401`, apiError, answer(name, '401'), [], ['suggestion']);
  });

  it('agree on the values of every field the API enumerates, at any depth', () => {
    const pairs: [string, string, Schema | undefined][] = [
      ['decide request', 'DecideRequest', body('decide')],
      ['outcome request', 'OutcomeRequest', body('outcome')],
      ['decide answer', 'DecideResponse', answer('decide')],
      ['decision answer', 'Decision', answer('decision')],
      ['decisions answer', 'DecisionPage', answer('decisions')],
      ['outcome answer', 'OutcomeResponse', answer('outcome')],
      ['profile answer', 'Profile', answer('profile')],
      ['profile 404', 'ApiErrorBody', answer('profile', '404')],
    ];
    const compared = pairs.map(([what, name, schema]) => enumsAgree(what, clientType(name), schema));
    // The walk reached the enums: a choice's kind, its estimate's and uplift's source, status and
    // reason, a candidate's status and review, their estimates', an outcome's source.
    expect(compared[2]).toBeGreaterThanOrEqual(15);
    expect(compared[0]).toBe(1);
  });

  it('agree for the estimates, outcome records and explanations inside the answers, and with the server\'s own types', async () => {
    const choiceSchema = answer('decide')?.properties?.choices.items;
    const explanationSchema = answer('decide')?.properties?.explanation;
    agrees('decide estimate', estimate, choiceSchema?.properties?.estimate);
    agrees('decision estimate', estimate, answer('decision')?.properties?.choices.items?.properties?.estimate);
    agrees('decide explanation', explanation, explanationSchema);
    agrees('decide candidate', candidate, explanationSchema?.properties?.candidates.items);
    agrees('candidate estimate', estimate, explanationSchema?.properties?.candidates.items?.properties?.estimate);
    agrees('decision outcome', outcomeRecord, answer('decision')?.properties?.outcomes.items);
    agrees('outcome answer record', outcomeRecord, answer('outcome')?.properties?.recorded.items);
    // The server's own types: every field they have is listed (tsc fails when one gains a field these lists lack).
    for (const f of Object.keys(serverEstimate)) expect(Object.keys(choiceSchema!.properties!.estimate.properties!), `estimate: the server's ${f}`).toContain(f);
    for (const f of Object.keys(serverOutcomeRecord)) expect(Object.keys(answer('decision')!.properties!.outcomes.items!.properties!), `outcome record: the server's ${f}`).toContain(f);
    await send(h.app, '/v1/identify', { userId: 'u-openapi', traits: { segment: 'finance' } });
    const d = (await post(h.app, '/v1/decide', { subject: 'u-openapi', placement: 'home', n: 3, explain: 'full' })).json();
    answered('decide estimate', estimate, d.choices[0].estimate);
    answered('decide explanation (full)', explanation, d.explanation);
    for (const c of d.explanation.candidates) answered(`candidate ${c.action}`, candidate, c);
    const o = (await post(h.app, '/v1/outcomes', { decisionId: d.decisionId, action: d.choices[0].action, type: 'click' })).json();
    answered('outcome record', outcomeRecord, o.recorded[0]);
    const logged = (await h.app.inject({ method: 'GET', url: `/v1/decisions/${d.decisionId}`, headers: { authorization: 'Bearer test-server-key' } })).json();
    answered('decision outcome', outcomeRecord, logged.outcomes[0]);
    const misspelt = (await post(h.app, '/v1/decide', { subject: 'emial:x@y.com', placement: 'home' })).json();
    answered('decide answer with warnings', decideResponse, misspelt);
    answered('decide warning', subjectWarning, misspelt.warnings[0]);
    const unknownKind = await h.app.inject({ method: 'GET', url: `/v1/profiles/${encodeURIComponent('emial:x@y.com')}`, headers: { authorization: 'Bearer test-server-key' } });
    expect([unknownKind.statusCode, unknownKind.json().error]).toEqual([404, 'unknown_identifier_kind']);
    answered('profile 404 (unknown_identifier_kind)', apiError, unknownKind.json());
  });
});
