import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, basic, bearer, get, harness, type Harness } from '../../test/harness.js';

/**
 * A body is read in the charset its `Content-Type` header names (UTF-8 when it names none), on the
 * API's routes and on collection's (single calls and batches, JSON and analytics.js's text/plain):
 * never decoded as UTF-8 regardless, with U+FFFD standing in for what was sent (docs/errors.md).
 */
describe('the charset of a request body', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  const post = (url: string, headers: Record<string, string>, payload: string | Buffer) => h.app.inject({ method: 'POST', url, headers, payload });
  /** The profile's trait `name` as stored, read back. */
  const storedName = async (userId: string) => (await get(h.app, `/v1/profiles/${userId}`)).json().traits?.name as string | undefined;
  const identify = (userId: string, name: string) => JSON.stringify({ userId, traits: { name } });
  const batchOf = (userId: string, name: string) => JSON.stringify({ batch: [{ type: 'identify', userId, traits: { name } }] });

  it('reads a body in the charset it declares, on a single call and in a batch, as JSON or text/plain', async () => {
    // "€" is 0x80 in windows-1252 (WHATWG Encoding Standard, index-windows-1252), which the
    // labels iso-8859-1 and latin1 mean too; Node 20.18.3+ decodes it as U+0080 (nodejs/node#60888).
    const name = 'Müller – 5 € “net”';
    const cases: [string, string, Buffer][] = [
      ['/v1/identify', 'application/json; charset=iso-8859-1', Buffer.from(identify('cs-1', 'Müller'), 'latin1')],
      ['/v1/identify', 'text/plain;charset="ISO-8859-1"', Buffer.from(identify('cs-2', 'Müller'), 'latin1')],
      ['/v1/identify', 'application/json; charset=windows-1252', Buffer.concat([Buffer.from('{"userId":"cs-3","traits":{"name":"Müller ', 'latin1'), Buffer.from([0x96, 0x20, 0x35, 0x20, 0x80, 0x20, 0x93]), Buffer.from('net', 'latin1'), Buffer.from([0x94]), Buffer.from('"}}')])],
      ['/v1/identify', 'application/json; charset=UTF-16LE', Buffer.from(identify('cs-4', name), 'utf16le')],
      ['/v1/batch', 'application/json; charset=latin1', Buffer.from(batchOf('cs-5', 'Müller'), 'latin1')],
      ['/v1/b', 'text/plain; charset=utf-16le', Buffer.from(batchOf('cs-6', name), 'utf16le')],
    ];
    for (const [url, type, body] of cases) {
      const r = await post(url, { authorization: basic(), 'content-type': type }, body);
      expect(r.statusCode, `${url} ${type}: ${r.body}`).toBe(200);
    }
    expect(await Promise.all(['cs-1', 'cs-2', 'cs-3', 'cs-4', 'cs-5', 'cs-6'].map(storedName))).toEqual(['Müller', 'Müller', name, name, 'Müller', name]);
  });

  it('reads a body in its declared charset on the API\'s routes too, gzip-compressed or not', async () => {
    const label = 'Équipe Müller';
    for (const compressed of [false, true]) {
      const body = Buffer.from(JSON.stringify({ kind: 'write', label }), 'latin1');
      const r = await post('/v1/keys', { authorization: bearer(KEYS.admin), 'content-type': 'application/json; charset=ISO-8859-1', ...(compressed ? { 'content-encoding': 'gzip' } : {}) }, compressed ? gzipSync(body) : body);
      expect([r.statusCode, r.json().label], r.body).toEqual([201, label]);
    }
  });

  it('takes a UTF-8 byte order mark before a JSON body and reads past it (RFC 8259 §8.1)', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const one = await post('/v1/identify', { authorization: basic(), 'content-type': 'application/json' }, Buffer.concat([bom, Buffer.from(identify('bom-1', 'Zoë'))]));
    const many = await post('/v1/batch', { authorization: basic(), 'content-type': 'text/plain' }, Buffer.concat([bom, Buffer.from(batchOf('bom-2', 'Zoë'))]));
    expect([one.statusCode, many.statusCode], `${one.body} ${many.body}`).toEqual([200, 200]);
    expect(await Promise.all(['bom-1', 'bom-2'].map(storedName))).toEqual(['Zoë', 'Zoë']);
  });

  it('refuses bytes that are not UTF-8 in a body declaring UTF-8 or no charset, naming the byte offset, and stores nothing', async () => {
    // "Müller" in latin-1 bytes: 0xFC ("ü") is no UTF-8 lead byte; the offset is where it stands.
    const body = Buffer.from(identify('bad-1', 'Müller'), 'latin1');
    for (const [url, type, payload] of [
      ['/v1/identify', 'application/json', body],
      ['/v1/identify', 'application/json; charset=utf-8', body],
      ['/v1/batch', 'text/plain', Buffer.from(batchOf('bad-1', 'Müller'), 'latin1')],
      ['/v1/keys', 'application/json', Buffer.from(JSON.stringify({ kind: 'write', label: 'Müller' }), 'latin1')],
    ] as const) {
      const r = await post(url, { authorization: url === '/v1/keys' ? bearer(KEYS.admin) : basic(), 'content-type': type }, payload);
      const at = payload.indexOf(0xfc);
      const said = type.includes('charset') ? ', as its `Content-Type` header says it is' : ' (its `Content-Type` header names no charset, and UTF-8 is read then)';
      expect([r.statusCode, r.json().error, r.json().message], `${url} ${type}`).toEqual([400, 'invalid_encoding', `The request body is not valid UTF-8${said}: the bytes from offset ${at} (counting from 0) do not make a character in it. Send the body in the charset its header names, or name the charset it is in (\`Content-Type: application/json; charset=windows-1252\`).`]);
    }
    expect((await get(h.app, '/v1/profiles/bad-1')).statusCode).toBe(404);
  });

  it('refuses a charset the server does not know 415, naming the Content-Type header and the charset', async () => {
    for (const [url, authorization, body] of [
      ['/v1/identify', basic(), identify('cs-x', 'a')],
      ['/v1/batch', basic(), batchOf('cs-x', 'a')],
      ['/v1/keys', bearer(KEYS.admin), JSON.stringify({ kind: 'write', label: 'x' })],
    ] as const) {
      for (const [type, charset] of [['application/json; charset=utf-7', 'utf-7'], ['text/plain; charset="EBCDIC-037"', 'EBCDIC-037']]) {
        const r = await post(url, { authorization, 'content-type': type }, body);
        expect([r.statusCode, r.json().error, r.json().message], `${url} ${type}`).toEqual([415, 'unsupported_charset', `The request body's \`Content-Type\` header names the charset \`${charset}\`, which this server does not read; send the body as UTF-8, or in another charset of the WHATWG Encoding Standard (such as ISO-8859-1, windows-1252 or UTF-16LE) named there.`]);
      }
    }
  });
});
