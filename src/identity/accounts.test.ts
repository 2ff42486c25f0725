import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness } from '../../test/harness.js';
import type { Message } from '../collect/message.js';
import { accountWritesOf } from './accounts.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { DEFAULT_MERGE_RULES } from './merge-rules.js';

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

describe('a member role that is empty', () => {
  // A form left blank sends `role: ""`: the store keeps a role it is given over the one it holds
  // (coalesce skips only null), so an empty one wiped the member's "admin"; nor should an empty
  // role of the user's own traits hide the one the group call names.
  const at = 1_700_000_000_000;
  const rolesOf = (m: Partial<Message>) => accountWritesOf({ messageId: 'm', context: {}, timestamp: at, receivedAt: at, ...m } as Message, 'p1', DEFAULT_MERGE_RULES).memberships.map((x) => x.role);

  it('is no role: an identify with `company` and `role: ""` leaves the role unset', () => {
    expect(rolesOf({ type: 'identify', userId: 'u1', traits: { role: '', company: { id: 'acme' } } })).toEqual([null]);
    expect(rolesOf({ type: 'identify', userId: 'u1', traits: { role: ' ', company: { id: 'acme' } } })).toEqual([null]);
    expect(rolesOf({ type: 'identify', userId: 'u1', traits: { role: 'admin', company: { id: 'acme' } } })).toEqual(['admin']);
  });

  it('on an identify with `company`, is read as a group call reads it: the person\'s (context first), else the company\'s — which is not kept as an account trait', () => {
    const writes = (m: Partial<Message>) => accountWritesOf({ messageId: 'm', context: {}, timestamp: at, receivedAt: at, ...m } as Message, 'p1', DEFAULT_MERGE_RULES);
    // QA: this made the role null and stored `role: "ops"` as a trait of the whole account.
    const frank = writes({ type: 'identify', userId: 'frank', traits: { company: { id: 'initech', role: 'ops' } }, context: { traits: { role: 'vp' } } });
    expect(frank.memberships.map((x) => x.role)).toEqual(['vp']);
    expect(frank.accounts[0].traits).toEqual({});
    expect(rolesOf({ type: 'identify', userId: 'u1', traits: { company: { id: 'acme', role: 'ops' } } })).toEqual(['ops']);
    expect(rolesOf({ type: 'identify', userId: 'u1', traits: { role: 'cto', company: { id: 'acme', role: 'ops' } } })).toEqual(['cto']);
  });

  it('gives way to the group traits\' role on a group call', () => {
    expect(rolesOf({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: 'admin' }, context: { traits: { role: '' } } })).toEqual(['admin']);
    expect(rolesOf({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: ' ' }, context: { traits: { role: ' ' } } })).toEqual([null]);
    expect(rolesOf({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: 'viewer' }, context: { traits: { role: 'owner' } } })).toEqual(['owner']);
  });
});

describe('a member role that is not text', () => {
  // QA: `role: 5` was dropped without a trace.
  const at = 1_700_000_000_000;
  const writes = (m: Partial<Message>) => accountWritesOf({ messageId: 'm', context: {}, timestamp: at, receivedAt: at, ...m } as Message, 'p1', DEFAULT_MERGE_RULES);

  it('is its text when a number, as an account id sent as a number is', () => {
    const w = writes({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: 5 } });
    expect([w.memberships.map((x) => x.role), w.ignored]).toEqual([['5'], []]);
    expect(writes({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: 'viewer' }, context: { traits: { role: 7 } } }).memberships.map((x) => x.role)).toEqual(['7']);
    expect(writes({ type: 'identify', userId: 'u1', traits: { company: { id: 'acme', role: 0 } } }).memberships.map((x) => x.role)).toEqual(['0']);
  });

  it('is no role when a boolean, an object or a list, and is recorded with where it was sent; a role of text further down is taken', () => {
    const w = writes({ type: 'group', userId: 'u1', groupId: 'acme', traits: { role: { name: 'admin' } } });
    expect(w.memberships.map((x) => x.role)).toEqual([null]);
    expect(w.ignored).toEqual([{ kind: 'role', value: '{"name":"admin"}', field: 'traits.role', reason: 'the `traits.role` is an object, not a string or a number: the membership was kept without it' }]);
    const c = writes({ type: 'identify', userId: 'u1', traits: { company: { id: 'acme', role: 'ops' } }, context: { traits: { role: true } } });
    expect(c.memberships.map((x) => x.role)).toEqual(['ops']);
    expect(c.ignored).toEqual([expect.objectContaining({ kind: 'role', value: 'true', field: 'context.traits.role', reason: expect.stringMatching(/^the `context.traits.role` is a boolean/) })]);
    expect(writes({ type: 'identify', userId: 'u1', traits: { company: { id: 'acme', role: ['a'] } } }).ignored.map((i) => i.field)).toEqual(['traits.company.role']);
  });

  it('shows on the profile\'s identityConflicts, the call and the account kept', async () => {
    h = await harness('sqlite');
    expect((await send(h.app, '/v1/group', { userId: 'r1', groupId: 'acme', traits: { name: 'Acme', role: false }, messageId: 'r1g' })).statusCode).toBe(200);
    const p = (await get(h.app, '/v1/profiles/r1')).json() as { accounts: { id: string; role: string | null }[]; identityConflicts: { kind: string; value: string; reason: string }[] };
    expect(p.accounts).toEqual([expect.objectContaining({ id: 'acme', role: null })]);
    expect(p.identityConflicts).toEqual([expect.objectContaining({ kind: 'role', value: 'false', reason: 'the `traits.role` is a boolean, not a string or a number: the membership was kept without it' })]);
  });
});

describe('an account id sent with surrounding spaces', () => {
  const at = 1_700_000_000_000;
  const idsOf = (m: Partial<Message>) => {
    const w = accountWritesOf({ messageId: 'm', context: {}, timestamp: at, receivedAt: at, ...m } as Message, 'p1', DEFAULT_MERGE_RULES);
    return [...w.accounts.map((a) => a.id), ...w.memberships.map((x) => x.accountId), ...w.ignored.map((i) => i.value)];
  };

  it('is the account of the trimmed id, as a userId is the trimmed one', () => {
    expect(idsOf({ type: 'group', userId: 'u1', groupId: ' acme\t' })).toEqual(['acme', 'acme']);
    expect(idsOf({ type: 'identify', userId: 'u1', traits: { company: { id: ' acme ' } } })).toEqual(['acme', 'acme']);
    // Case is kept: account ids are opaque, as userIds are.
    expect(idsOf({ type: 'group', userId: 'u1', groupId: 'Acme' })).toEqual(['Acme', 'Acme']);
  });

  it('stored before ids were trimmed is still found by the id it was stored as', async () => {
    h = await harness('sqlite');
    (h.store as SqliteStore).db.prepare("INSERT INTO accounts (id, traits, created_at, updated_at) VALUES (' old ', '{}', 0, 0)").run();
    expect((await get(h.app, `/v1/accounts/${encodeURIComponent(' old ')}`)).json().id).toBe(' old ');
    expect((await get(h.app, '/v1/accounts/old')).statusCode).toBe(404);
  });

  it('of only spaces is blocked, and recorded, on an identify\'s company too', () => {
    expect(idsOf({ type: 'group', userId: 'u1', groupId: '  ' })).toEqual(['']);
    expect(idsOf({ type: 'identify', userId: 'u1', traits: { company: { id: '  ' } } })).toEqual(['']);
  });
});

describe('a company id sent as a number', () => {
  const at = 1_700_000_000_000;
  const writes = (id: unknown) => accountWritesOf({ messageId: 'm', type: 'identify', userId: 'u1', traits: { company: { id, name: 'Big' } }, context: {}, timestamp: at, receivedAt: at } as Message, 'p1', DEFAULT_MERGE_RULES);

  it('makes no account when JSON does not hold it exactly, and says why: two 64-bit ids would be one account', () => {
    // 12345678901234567890 and …891 are read as one double, 12345678901234567000: both joined it.
    const w = writes(12345678901234567890);
    expect(w.accounts).toEqual([]);
    expect(w.memberships).toEqual([]);
    expect(w.ignored).toEqual([{ kind: 'company.id', value: '12345678901234567000', field: 'traits.company.id', reason: expect.stringMatching(/^it is the number 12345678901234567000 as read: beyond 9007199254740991 .*: no account was made$/) }]);
    // Nor does an object: it names no account.
    expect(writes({ id: 'acme' }).ignored).toEqual([expect.objectContaining({ kind: 'company.id', value: '{"id":"acme"}', reason: 'it is an object, not a string or a number: no account was made' })]);
  });

  it('is the account of its digits when whole and held exactly', () => {
    expect(writes(9007199254740991).accounts.map((a) => a.id)).toEqual(['9007199254740991']);
  });
});
