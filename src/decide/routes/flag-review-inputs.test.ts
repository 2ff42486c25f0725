import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, send, type Harness } from '../../../test/harness.js';

/**
 * What the flag and review routes take. Until 2026-12-05 `DELETE /v1/flags/{id}?reason=resolved`
 * cleared the flag and kept the reason nowhere (any query parameter was dropped unseen), and a
 * note of spaces alone was stored as a flag's note or a verdict's.
 */
describe('flag and review inputs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const admin = { authorization: bearer(KEYS.admin) };
  const addFlag = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/flags', headers: admin, payload: { account: 'acme', name: 'pause', note: 'procurement review', ...payload } });
  const flagsOfAcme = async () => (await get(h.app, '/v1/flags?account=acme')).json().flags as { id: string; note: string; active: boolean }[];

  it('DELETE /v1/flags/{id} refuses a query parameter, naming it, and leaves the flag open', async () => {
    const f = await addFlag({});
    expect(f.statusCode, f.body).toBe(201);
    for (const query of ['reason=resolved', 'foo=1']) {
      const r = await h.app.inject({ method: 'DELETE', url: `/v1/flags/${f.json().id}?${query}`, headers: admin });
      expect([r.statusCode, r.json().message], r.body).toEqual([400, `The \`querystring.${query.split('=')[0]}\` property is not one this endpoint takes.`]);
    }
    expect((await flagsOfAcme()).find((x) => x.id === f.json().id)?.active).toBe(true);
    const cleared = await h.app.inject({ method: 'DELETE', url: `/v1/flags/${f.json().id}`, headers: admin });
    expect([cleared.statusCode, cleared.json().active]).toEqual([200, false]);
  });

  it('the other flag and review routes refuse a query parameter too', async () => {
    for (const [method, url] of [['POST', '/v1/flags?until=2099-01-01'], ['GET', '/v1/reviews/r-1?x=1'], ['POST', '/v1/reviews/r-1/approve?note=x'], ['POST', '/v1/reviews/r-1/reject?x=1']] as const) {
      const r = await h.app.inject({ method, url, headers: admin, ...(method === 'POST' ? { payload: url.startsWith('/v1/flags') ? { account: 'acme', name: 'q', note: 'n' } : {} } : {}) });
      expect([r.statusCode, r.json().error], `${method} ${url}: ${r.body}`).toEqual([400, 'validation_failed']);
      expect(r.json().message).toMatch(/^The `querystring\.\w+` property is not one this endpoint takes\.$/);
    }
  });

  it('refuses a flag on an account id no group() call can make (blank, blocked), and on a blank or blocked subject, naming the field', async () => {
    // Until 2026-12-05 a flag on "   " was stored on the account "" with a warning that it would apply "once there are any" members.
    const before = (await get(h.app, '/v1/flags')).json().flags.length;
    const problems = async (payload: object) => {
      const r = await addFlag(payload);
      expect(r.statusCode, r.body).toBe(400);
      return r.json().problems as { field: string; message: string }[];
    };
    expect(await problems({ account: '   ', name: 'x', note: 'n' })).toEqual([{ field: 'account', message: 'The `account` is blank (only white space): it names no account, so the flag would apply to no one.' }]);
    expect(await problems({ account: 'null', name: 'x', note: 'n' })).toEqual([{ field: 'account', message: 'The `account` `null` can never be an account: the value "null" is on the blocked list of the merge rules, so no group() call makes it and the flag would apply to no one.' }]);
    expect(await problems({ account: ' undefined ', name: 'x', note: 'n' })).toEqual([{ field: 'account', message: expect.stringContaining('`undefined` can never be an account') }]);
    expect(await problems({ account: undefined, subject: '   ', name: 'x', note: 'n' })).toEqual([{ field: 'subject', message: 'The `subject` `   ` matches no profile, and none ever will: it is blank (only white space).' }]);
    expect(await problems({ account: undefined, subject: 'null', name: 'x', note: 'n' })).toEqual([{ field: 'subject', message: 'The `subject` `null` matches no profile, and none ever will: the value "null" is on the blocked list of the merge rules.' }]);
    // After a kind of Tact's own too (it said only "matches no profile"), and an empty account is named as the account (it named `subject`): QA, 2026-12-05.
    expect(await problems({ account: undefined, subject: 'userId:undefined', name: 'x', note: 'n' })).toEqual([{ field: 'subject', message: 'The `subject` `userId:undefined` matches no profile, and none ever will: the value "undefined" is on the blocked list of the merge rules.' }]);
    expect(await problems({ account: '', name: 'x', note: 'n' })).toEqual([{ field: 'account', message: 'Name exactly one of `subject` (any identifier of a person) or `account` (an account id).' }]);
    expect((await get(h.app, '/v1/flags')).json().flags).toHaveLength(before);
    // an account not made yet is still taken, with its warning: its members may come later
    const later = await addFlag({ account: 'globex', name: 'x', note: 'n' });
    expect([later.statusCode, later.json().warnings?.[0]?.field]).toEqual([201, 'account']);
  });

  it('refuses a blank note, naming it: of a flag (required), of a verdict (when given)', async () => {
    const before = (await flagsOfAcme()).length;
    for (const note of ['   ', '\t\n']) {
      const r = await addFlag({ name: 'blank', note });
      expect([r.statusCode, r.json().problems], r.body).toEqual([400, [{ field: 'note', message: 'The `note` is blank (only white space): it is kept with the change for whoever reads it later, so say it in words.' }]]);
    }
    expect(await flagsOfAcme()).toHaveLength(before);
    for (const note of ['  ', '']) {
      // Refused before the review is looked up: no review needs to exist.
      const r = await h.app.inject({ method: 'POST', url: '/v1/reviews/r-1/reject', headers: admin, payload: { reviewer: 'kim', note } });
      expect([r.statusCode, r.json().problems?.[0]?.field], r.body).toEqual([400, 'note']);
    }
    // A verdict with no note at all is still taken as far as its review (none here: a 404).
    expect((await h.app.inject({ method: 'POST', url: '/v1/reviews/r-1/reject', headers: admin, payload: { reviewer: 'kim' } })).statusCode).toBe(404);
  });

  it('GET /v1/flags refuses a subject and an account together, as POST does, naming the subject', async () => {
    // Until 2026-12-05 the account was dropped unseen: ana's flags were answered (QA, flags-both.sh).
    await send(h.app, '/v1/identify', { userId: 'ana' });
    const onAna = await addFlag({ account: undefined, subject: 'ana', name: 'vip', note: 'key account contact' });
    expect(onAna.statusCode, onAna.body).toBe(201);
    const both = await get(h.app, '/v1/flags?subject=ana&account=acme');
    expect([both.statusCode, both.json().problems], both.body).toEqual([400, [{ field: 'querystring.subject', message: 'Name exactly one of `subject` (any identifier of a person) or `account` (an account id).' }]]);
    const posted = await addFlag({ subject: 'ana', name: 'x', note: 'n' });
    expect([posted.statusCode, posted.json().message]).toEqual([400, both.json().message]);
    // Each alone, and neither (every open flag), are answered.
    for (const q of ['subject=ana', 'account=acme', '']) expect((await get(h.app, `/v1/flags?${q}`)).statusCode, q).toBe(200);
  });
});

describe('a flag no rule reads (QA 2026-12-06)', () => {
  it('is stored with a warning naming the closest flag a rule reads: a misspelt one changes no decision', async () => {
    const h = await harness('sqlite', { config: { policy: { rules: [{ name: 'paused', stage: 'eligibility', when: '!has(flags.procurement_delay)', reason: 'automated sequences are paused' }] } } });
    try {
      await send(h.app, '/v1/identify', { userId: 'cal', traits: { name: 'Cal' } });
      const add = (name: string) => h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { subject: 'cal', name, note: 'procurement review' } });
      const typo = await add('procurment_delay');
      expect(typo.statusCode, typo.body).toBe(201);
      expect(typo.json().warnings).toEqual([{ field: 'name', message: 'No rule in force reads `flags.procurment_delay`, and no human territory lists it: the flag is stored and shows in the decisions\' facts, but changes no decision until one does. Did you mean `procurement_delay` (read by the policy rule `paused`)? Flag names are case-sensitive.' }]);
      const right = await add('procurement_delay');
      expect([right.statusCode, right.json().warnings]).toEqual([201, undefined]);
    } finally {
      await h.close();
    }
  });
});

describe('a flag named with a word CEL reserves (QA 2026-12-06)', () => {
  it('is refused, naming `name`: no rule could read `flags.in`', async () => {
    const h = await harness('sqlite');
    try {
      for (const name of ['in', 'true', 'null', 'while']) {
        const r = await h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { account: 'acme', name, note: 'n' } });
        expect([r.statusCode, r.json().problems?.[0]?.field], `${name}: ${r.body}`).toEqual([400, 'name']);
        expect(r.json().problems[0].message).toContain(`is a word CEL reserves: no rule could read \`flags.${name}\``);
      }
    } finally {
      await h.close();
    }
  });
});
