import { expect } from 'vitest';
import { KEYS, bearer, get, send, type Harness } from '../../../test/harness.js';

export const DAY = 86_400_000;

/** A track call at a given time (Segment spec). */
export const track = (userId: string, event: string, properties: Record<string, unknown>, at: number, context: Record<string, unknown> = {}) =>
  ({ type: 'track', userId, event, properties, timestamp: new Date(at).toISOString(), context });

/** Sends messages in batches of 100 and waits for every log consumer. */
export async function ingest(h: Harness, messages: object[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 100) {
    const r = await send(h.app, '/v1/batch', { batch: messages.slice(i, i + 100) });
    expect(r.json(), r.body).toEqual({ success: true });
  }
  await h.tact.consumers.runAll();
}

/** A profile's estimates (200 expected). */
export async function estimatesOf(h: Harness, id: string) {
  const r = await get(h.app, `/v1/profiles/${encodeURIComponent(id)}/estimates`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { id: string; estimates: { model: string; key: string; value: number | null; low: number | null; high: number | null; evidence: number; source: string; status: string; modelVersion: string; reading: string; detail?: Record<string, unknown> }[]; segments: string[]; microSegment: { index: number } | null; anomalies: { value: number }[] };
}

/** POST with the admin key. */
export const admin = (h: Harness, url: string, payload: object = {}) => h.app.inject({ method: 'POST', url, headers: { authorization: bearer(KEYS.admin) }, payload });

/** POST with the server key. */
export const server = (h: Harness, url: string, payload: object) => h.app.inject({ method: 'POST', url, headers: { authorization: bearer(KEYS.server) }, payload });

/** Replaces a configuration kind through the API. */
export const putConfig = (h: Harness, kind: string, document: unknown) =>
  h.app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
