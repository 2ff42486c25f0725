import { operations } from './operations.js';
import type { ApiErrorBody, DecideRequest, Decision, DecisionQuery, OutcomeRequest, OutcomeResponse, Profile } from './types.js';

export type * from './types.js';

/** How the client reaches Tact. */
export interface TactClientOptions {
  /** e.g. "https://tact.example.com" */
  baseUrl: string;
  /** A server key (Node) — or, in a browser, the write key (public placements and outcomes of a decision only). */
  key: string;
  /** "bearer" for server/admin keys (default); "basic" sends the key as the Basic user name (write key). */
  auth?: 'bearer' | 'basic';
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
}

/**
 * An error answer from Tact: its code, status, sentence and the fields that were wrong.
 *
 * @example
 * try { await tact.decide(req); } catch (e) { if (e instanceof TactApiError) console.log(e.code, e.body.problems); }
 */
export class TactApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message ?? `HTTP ${status}`);
    this.name = 'TactApiError';
  }
  get code(): string {
    return this.body.error;
  }
}

const b64 = (s: string) => (typeof btoa === 'function' ? btoa(s) : Buffer.from(s).toString('base64'));

/**
 * A typed client for the decision, outcome and profile APIs; runs in Node 18+ and browsers.
 *
 * @example
 * const tact = createTactClient({ baseUrl: 'http://127.0.0.1:8787', key: process.env.TACT_SERVER_KEY! });
 * const d = await tact.decide({ subject: 'ana', placement: 'home' });
 * await tact.outcome({ decisionId: d.decisionId, type: 'click', action: d.choices[0].action });
 */
export function createTactClient(o: TactClientOptions) {
  const f = o.fetch ?? fetch;
  const base = o.baseUrl.replace(/\/$/, '');
  const authorization = o.auth === 'basic' ? `Basic ${b64(`${o.key}:`)}` : `Bearer ${o.key}`;
  async function call<T>(name: keyof typeof operations, params: Record<string, string> = {}, body?: object, query?: Record<string, unknown>): Promise<T> {
    const op = operations[name];
    let path: string = op.path;
    for (const [k, v] of Object.entries(params)) path = path.replace(`{${k}}`, encodeURIComponent(v));
    const qs = query ? Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&') : '';
    const res = await f(`${base}${path}${qs ? `?${qs}` : ''}`, {
      method: op.method,
      headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({ error: 'invalid_response', message: `HTTP ${res.status}`, errorId: '' }))) as unknown;
    if (!res.ok) throw new TactApiError(res.status, json as ApiErrorBody);
    return json as T;
  }
  return {
    /** Asks for a decision. */
    decide: (req: DecideRequest) => call<Decision>('decide', {}, req),
    /** Reports an outcome (impression, click, dismissal, conversion …). */
    outcome: (req: OutcomeRequest) => call<OutcomeResponse>('outcome', {}, req),
    /** One logged decision with its full explanation and outcomes (server key). */
    decision: (id: string) => call<Decision>('decision', { id }),
    /** The decision log, newest first (server key). */
    decisions: (q: DecisionQuery = {}) => call<{ decisions: Decision[] }>('decisions', {}, undefined, q as Record<string, unknown>),
    /** A profile's facts (server key). */
    profile: (identifier: string) => call<Profile>('profile', { identifier }),
  };
}

/** The client's methods (decide, outcome, decision, decisions, profile). */
export type TactClient = ReturnType<typeof createTactClient>;
