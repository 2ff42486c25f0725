import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { shopConfig } from '../decide/fixtures.js';
import { operations } from './operations.js';
import type { ApiErrorBody, Choice, DecideRequest, Decision, DecisionQuery, OutcomeRequest, OutcomeResponse, Profile } from './types.js';

/** Each field a type declares (index signatures aside), marked as the type marks it; tsc fails if one is missing, extra or mis-marked. */
type Fields<T> = { [K in keyof T as string extends K ? never : K]-?: {} extends Pick<T, K> ? 'optional' : 'required' };
const fields = <T>() => <F extends Fields<T>>(f: F & Record<Exclude<keyof F, keyof Fields<T>>, never>) => f as Record<string, 'optional' | 'required'>;

const decideRequest = fields<DecideRequest>()({ subject: 'required', placement: 'required', context: 'optional', n: 'optional', explain: 'optional' });
const outcomeRequest = fields<OutcomeRequest>()({ type: 'required', decisionId: 'optional', subject: 'optional', action: 'optional', value: 'optional', messageId: 'optional', timestamp: 'optional' });
const decisionQuery = fields<DecisionQuery>()({ subject: 'optional', action: 'optional', placement: 'optional', from: 'optional', to: 'optional', limit: 'optional' });
const decision = fields<Decision>()({ decisionId: 'required', at: 'required', placement: 'required', channel: 'optional', arm: 'optional', subject: 'optional', choices: 'required', explanation: 'required', outcomes: 'optional' });
const choice = fields<Choice>()({
  rank: 'required', kind: 'required', action: 'optional', item: 'optional', variant: 'optional', content: 'optional', queue: 'optional', score: 'optional',
  propensity: 'optional', propensityError: 'optional', held: 'optional', explanation: 'optional', estimate: 'optional', factors: 'optional',
});
const outcomeResponse = fields<OutcomeResponse>()({ recorded: 'required', duplicate: 'required' });
const profile = fields<Profile>()({ id: 'required', traits: 'required', features: 'required', events: 'required', consent: 'required', lifecycle: 'required', timezone: 'required' });
const apiError = fields<ApiErrorBody>()({ error: 'required', message: 'required', errorId: 'required', problems: 'optional' });

type Schema = { properties?: Record<string, Schema>; required?: string[]; items?: Schema };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };

/** The type's fields are the schema's, and what the schema requires the type requires. */
function agrees(what: string, type: Record<string, string>, schema: Schema | undefined) {
  expect(schema?.properties, `${what}: no schema`).toBeDefined();
  for (const f of Object.keys(type)) expect(Object.keys(schema!.properties!), `${what}: the type's ${f}`).toContain(f);
  for (const r of schema!.required ?? []) expect(type[r], `${what}: the API requires ${r}`).toBe('required');
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
    agrees('outcome request', outcomeRequest, body('outcome'));
    expect(Object.keys(decideRequest).sort()).toEqual([...operations.decide.body].sort());
    expect(Object.keys(outcomeRequest).sort()).toEqual([...operations.outcome.body].sort());
    expect(Object.keys(decisionQuery).sort()).toEqual([...operations.decisions.query].sort());
    expect((op('decisions').parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(Object.keys(decisionQuery).sort());
  });

  it('agree for every answer the client reads, errors included', () => {
    for (const name of ['decide', 'decision'] as const) {
      agrees(`${name} answer`, decision, answer(name));
      agrees(`${name} choice`, choice, answer(name)?.properties?.choices.items);
    }
    agrees('decisions answer', { decisions: 'required' }, answer('decisions'));
    agrees('decisions item', decision, answer('decisions')?.properties?.decisions.items);
    agrees('outcome answer', outcomeResponse, answer('outcome'));
    agrees('profile answer', profile, answer('profile'));
    for (const name of Object.keys(operations) as (keyof typeof operations)[]) agrees(`${name} 401`, apiError, answer(name, '401'));
  });
});
