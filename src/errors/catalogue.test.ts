import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue } from './catalogue.js';
import { TactError, validationError } from './tact-error.js';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, { status }] of Object.entries(catalogue)) {
      expect(doc, `docs/errors.md is missing ${code}`).toContain(`| \`${code}\` | ${status} |`);
    }
  });

  it('only uses 4xx for what the caller can fix, and 5xx for the server', () => {
    for (const [code, { status }] of Object.entries(catalogue)) {
      if (['internal', 'internal_subject', 'internal_stream', 'overloaded', 'store_unavailable', 'store_full'].includes(code)) expect(status).toBeGreaterThanOrEqual(500);
      else expect(status).toBeLessThan(500);
    }
  });

  it('fills the message template and serialises with an error id', () => {
    const e = new TactError('not_found', { what: 'profile', id: 'u1' });
    expect(e.toJSON()).toMatchObject({ error: 'not_found', message: 'No profile matches `u1`.', errorId: expect.any(String) });
  });

  it('quotes the error id where the message asks for it, the same id the answer carries', () => {
    const e = new TactError('internal');
    expect(e.message).toBe(`Something went wrong on the server and nothing was changed by this request; the error id is ${e.id}. The details are in the server log.`);
    expect(e.toJSON().errorId).toBe(e.id);
  });

  it('leaves no placeholder unfilled in any message given the parameters its template names', () => {
    for (const [code, { message }] of Object.entries(catalogue)) {
      const params = Object.fromEntries([...message.matchAll(/\{(?:an?:)?(\w+)\}/gi)].filter((m) => m[1] !== 'errorId').map((m) => [m[1], 'v']));
      expect(new TactError(code as keyof typeof catalogue, params).message, code).not.toMatch(/\{[\w:]+\}/);
    }
  });

  it('puts the right article before a key kind', () => {
    expect(new TactError('forbidden', { have: 'server', action: 'manage keys', need: 'admin' }).message).toBe('A server key cannot manage keys; this needs an admin key.');
    expect(new TactError('forbidden', { have: 'admin', action: 'do this', need: 'server' }).message).toBe('An admin key cannot do this; this needs a server key.');
  });

  it('says why a tracking-plan block stopped a message, whole sentences for a planned and an unplanned event', () => {
    // The details are the violations' own sentences (collect/tracking-plan.ts, tracking-plan-violations.ts), passed as
    // collect/routes.ts passes them; an unplanned event's starts with a capital and is no schema's violation.
    const planned = new TactError('tracking_plan_blocked', { event: 'Order Completed', detail: '`products[1].sku` is required and was not sent; `revenue` must be number' });
    expect(planned.message).toBe('`products[1].sku` is required and was not sent; `revenue` must be number. The tracking plan blocks such messages, so this `Order Completed` message was not stored.');
    const unplanned = new TactError('tracking_plan_blocked', { event: 'Ok', detail: 'The event "Ok" is not in the tracking plan' });
    expect(unplanned.message).toBe('The event "Ok" is not in the tracking plan. The tracking plan blocks such messages, so this `Ok` message was not stored.');
  });

  it('makes a validation error whose message is the first problem and counts the others', () => {
    const e = validationError([{ field: 'a', message: 'The `a` property is required.' }, { field: 'b', message: 'x' }, { field: 'c', message: 'y' }]);
    expect(e.message).toBe('The `a` property is required. (and 2 more problems, listed in `problems`)');
    expect(e.statusCode).toBe(400);
  });
});
