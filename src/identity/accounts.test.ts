import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('an account id on the blocked list of the merge rules', () => {
  it('makes no account: a client that sends groupId "undefined" does not put every user it serves in one account', async () => {
    // `analytics.group(String(account?.id))` with no account sends "undefined"; every user of such
    // a client joined one account "undefined", whose traits and members then meant nothing.
    h = await harness('sqlite');
    for (const [i, groupId] of ['undefined', 'null', ' '].entries()) {
      expect((await send(h.app, '/v1/group', { userId: `u${i}`, groupId, traits: { name: 'Acme' }, messageId: `g${i}` })).statusCode).toBe(200);
    }
    expect((await send(h.app, '/v1/identify', { userId: 'u3', traits: { company: { id: 'null', name: 'Acme' } }, messageId: 'c3' })).statusCode).toBe(200);
    for (const id of ['undefined', 'null', '%20']) expect((await get(h.app, `/v1/accounts/${id}`)).statusCode).toBe(404);
    // The person's call is kept, and the profile says why no account was made.
    const p = (await get(h.app, '/v1/profiles/u0')).json() as { accounts: unknown[]; events: Record<string, unknown>; identityConflicts: { kind: string; value: string; reason: string }[] };
    expect(p.accounts).toEqual([]);
    expect(Object.keys(p.events)).toEqual(['group']);
    expect(p.identityConflicts).toEqual([expect.objectContaining({ kind: 'groupId', value: 'undefined', reason: 'the value "undefined" is on the blocked list of the merge rules: no account was made' })]);
    const c = (await get(h.app, '/v1/profiles/u3')).json() as { identityConflicts: { kind: string }[] };
    expect(c.identityConflicts.map((x) => x.kind)).toEqual(['company.id']);
    // A real account id still makes the account.
    expect((await send(h.app, '/v1/group', { userId: 'u0', groupId: 'acme', traits: { name: 'Acme' }, messageId: 'g9' })).statusCode).toBe(200);
    expect((await get(h.app, '/v1/accounts/acme')).statusCode).toBe(200);
  });
});
