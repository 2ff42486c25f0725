import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { KEY_KINDS } from './openapi-security.js';

type Kind = 'write' | 'server' | 'admin';
interface Operation { description?: string; security?: unknown[]; responses?: Record<string, { description?: string }>; [KEY_KINDS]?: Kind[] }

/** The sentence each set of kinds ends an operation's description with. */
const SENTENCE: Record<string, RegExp> = {
  'write,server,admin': /Needs a key of any kind: the write key \(as the HTTP Basic user name(, or as `writeKey` in the body)?, or as Bearer\), or a server or admin key as Bearer\.$/,
  'server,admin': /Needs a server or admin key \(as Bearer\); a write key is refused \(403 `forbidden`\)\.$/,
  admin: /Needs an admin key \(as Bearer\); a write or server key is refused \(403 `forbidden`\)\.$/,
};

/**
 * The OpenAPI document says, for each operation, which kinds of key it takes (`x-tact-key` and a
 * sentence in its description), and that is what the server enforces: a mechanical walk over the
 * document sends each operation each kind of key. Until 2026-12-06 every operation needing a server
 * or admin key said only `bearer`, with a generic 403.
 */
describe('the kinds of key each operation of the OpenAPI document takes', () => {
  let h: Harness;
  let ops: [string, string, Operation][];
  beforeAll(async () => {
    h = await harness('sqlite');
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [method.toUpperCase(), path, op] as [string, string, Operation]));
  });
  afterAll(async () => h.close());

  it('names them on every operation that takes a key, in `x-tact-key` and in its description', () => {
    for (const [method, path, op] of ops) {
      const name = `${method} ${path}`;
      if (!op.security?.length) {
        expect(op[KEY_KINDS], `${name} takes no key`).toBeUndefined();
        continue;
      }
      const kinds = op[KEY_KINDS];
      expect(kinds, `${name} names no kind`).toBeDefined();
      expect(op.description, name).toMatch(SENTENCE[kinds!.join(',')]);
      if (kinds![0] !== 'write') expect(op.responses?.['403']?.description, name).toBe(`\`forbidden\`: ${kinds![0] === 'server' ? 'a write key; this operation needs a server or admin key' : 'a write or server key; this operation needs an admin key'}.`);
    }
    const kindOf = (m: string, p: string) => ops.find(([method, path]) => method === m && path === p)?.[2][KEY_KINDS];
    expect(kindOf('POST', '/v1/track')).toEqual(['write', 'server', 'admin']);
    expect(kindOf('POST', '/v1/decide/batch')).toEqual(['server', 'admin']);
    expect(kindOf('POST', '/v1/keys')).toEqual(['admin']);
    expect(kindOf('GET', '/health')).toBeUndefined();
  });

  it('is what the server enforces: each kind named is let past the key check, each other one refused 403 naming the kind needed', async () => {
    const walked: string[] = [];
    const order: Kind[] = ['write', 'server', 'admin'];
    for (const [method, path, op] of ops) {
      const kinds = op[KEY_KINDS];
      if (!kinds) continue;
      const url = path.replace(/\{[^}]+\}/g, 'x');
      // The weakest kinds first: a refused request changes nothing; the admin key's last.
      for (const kind of order) {
        const withBody = method === 'GET' ? {} : { payload: '{}' };
        const r = await h.app.inject({ method: method as 'GET', url, headers: { authorization: bearer(KEYS[kind]), 'content-type': 'application/json' }, ...withBody });
        const name = `${method} ${path} with a ${kind} key`;
        if (kinds.includes(kind)) {
          expect([401, 403], `${name}: ${r.body.slice(0, 200)}`).not.toContain(r.statusCode);
        } else {
          expect([r.statusCode, r.json().error], name).toEqual([403, 'forbidden']);
          expect(r.json().message, name).toMatch(new RegExp(`this needs an? ${kinds[0]} key\\.$`));
        }
      }
      walked.push(`${method} ${path}`);
    }
    // The walk reaches the operations it should (a document without the extension would check nothing).
    expect(walked).toEqual(expect.arrayContaining(['POST /v1/batch', 'GET /v1/profiles/{identifier}', 'PUT /v1/config/{kind}', 'DELETE /v1/keys/{id}', 'POST /v1/monitors/step']));
    expect(walked.length).toBeGreaterThan(50);
  });
});
