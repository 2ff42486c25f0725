import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';

/**
 * `GET /v1/config` counts each kind's `problems`; until 2026-12-04 it did not count its
 * `warnings` (a placement's bandit floor above the policy's exploration budget, which caps it:
 * src/decide/exploration-floor.ts), so a console listing the kinds could not show which carry one.
 */
const catalog = (floor: number) => ({
  actions: [{ id: 'weak', name: 'Weak offer', channels: ['web'], value: 10 }, { id: 'strong', name: 'Strong offer', channels: ['web'], value: 10 }],
  placements: [{ id: 'p0', channel: 'web', selection: { kind: 'thompson', features: ['context.mobile'], floor } }],
});

const put = async (app: FastifyInstance, kind: string, document: unknown) => {
  const r = await app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
  expect(r.statusCode, r.body).toBe(200);
};
const counts = async (app: FastifyInstance): Promise<Record<string, { problems: number; warnings: number }>> => {
  const r = await app.inject({ method: 'GET', url: '/v1/config', headers: { authorization: bearer(KEYS.server) } });
  expect(r.statusCode, r.body).toBe(200);
  return Object.fromEntries((r.json().kinds as { kind: string; problems: number; warnings: number }[]).map((k) => [k.kind, { problems: k.problems, warnings: k.warnings }]));
};

describe('GET /v1/config', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts each kind\'s warnings: a catalog floor above the policy budget shows 1 on both, and 0 once the budget fits', async () => {
    h = await harness('sqlite');
    await put(h.app, 'catalog', catalog(0.2));
    await put(h.app, 'policy', { exploration: { budget: 0.1 } });
    const c = await counts(h.app);
    expect(c.catalog).toEqual({ problems: 0, warnings: 1 });
    expect(c.policy).toEqual({ problems: 0, warnings: 1 });
    expect(c.features).toEqual({ problems: 0, warnings: 0 });
    await put(h.app, 'policy', { exploration: { budget: 0.3 } });
    const after = await counts(h.app);
    expect(after.catalog.warnings).toBe(0);
    expect(after.policy.warnings).toBe(0);
  });
});
