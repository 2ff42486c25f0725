import type { FastifyInstance } from 'fastify';
import { KEYS, basic, bearer } from '../../test/harness.js';

/** POST /v1/decide with a key (server by default); the write key goes as Basic, like a browser. */
export function decideReq(app: FastifyInstance, body: object, key = KEYS.server) {
  const authorization = key === KEYS.write ? basic(key) : bearer(key);
  return app.inject({ method: 'POST', url: '/v1/decide', headers: { authorization }, payload: body });
}

/** POST a JSON body with a key. */
export function post(app: FastifyInstance, url: string, body: object, key = KEYS.server) {
  const authorization = key === KEYS.write ? basic(key) : bearer(key);
  return app.inject({ method: 'POST', url, headers: { authorization }, payload: body });
}

/** The actions (or kinds) of a decision's choices, in rank order. */
export const picked = (d: { choices: { action?: string; kind: string }[] }) => d.choices.map((c) => c.action ?? c.kind);

/** Segment context granting the Advertising purpose. */
export const advertising = { consent: { categoryPreferences: { Advertising: true } } };
