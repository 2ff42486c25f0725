import { expect } from 'vitest';
import { catalogue } from '../src/errors/catalogue.js';

/**
 * The one error shape, checked: a status under 500, and for a 4xx a code of the error catalogue, a
 * sentence, the id the server log has, and for each problem the field it names and why.
 *
 * @example
 * expectClearAnswer('POST /v1/track', body, await app.inject({ method: 'POST', url: '/v1/track', payload: body }));
 */
export function expectClearAnswer(route: string, sent: unknown, res: { statusCode: number; body: string }): void {
  const where = `${route} with ${JSON.stringify(sent)?.slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  if (res.statusCode < 400) return;
  const body = JSON.parse(res.body) as { error?: unknown; message?: unknown; errorId?: unknown; problems?: { field?: unknown; message?: unknown }[] };
  expect(Object.keys(catalogue), where).toContain(body.error);
  expect(typeof body.errorId, where).toBe('string');
  expect(typeof body.message === 'string' && body.message.length > 10, where).toBe(true);
  for (const p of body.problems ?? []) {
    expect(typeof p.field === 'string' && p.field.length > 0, where).toBe(true);
    expect(typeof p.message === 'string' && p.message.length > 10, where).toBe(true);
  }
}
