import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { KEYS, bearer, get, harness, openTestStore, send, type Harness } from '../../test/harness.js';
import { Tact } from '../server/tact.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/store.js';
import { checkFlagDeclarations, DECLARED_BY, reconcileFlags } from './flag-declarations.js';
import { shopConfig } from './fixtures.js';
import { advertising, decideReq } from './test-http.js';
import type { Flag } from './records.js';

const flag = (o: Partial<Flag> & Pick<Flag, 'id' | 'name'>): Flag => ({
  target: { kind: 'account', id: 'acme' }, note: 'n', until: null, author: DECLARED_BY, createdAt: 0, clearedAt: null, clearedBy: null, ...o,
});

describe('flags declared in configuration', () => {
  it('checks every declaration and names the bad field', () => {
    expect(checkFlagDeclarations({})[0].field).toBe('flags');
    const problems = checkFlagDeclarations([{ subject: 'a', account: 'b', name: 'x', note: 'y' }, { account: 'b', name: 'has space', note: 'y', until: 'soon', colour: 1 }]);
    expect(problems.map((p) => p.field)).toEqual(['flags[0].subject', 'flags[1].colour', 'flags[1].name', 'flags[1].until']);
    expect(checkFlagDeclarations([{ account: 'acme', name: 'pause', note: 'why', until: '2027-01-15' }])).toEqual([]);
  });

  it('refuses a blank `note` (until 2026-12-05 one of spaces, or none at all, was taken): the note says why, to whoever reads the flag later', () => {
    expect(checkFlagDeclarations([{ account: 'acme', name: 'pause', note: '   ' }, { account: 'acme', name: 'hold', note: '' }])).toEqual([
      { field: 'flags[0].note', message: 'The `flags[0].note` is blank (only white space): each flag needs a `note` saying why, in words (people read it months later).' },
      { field: 'flags[1].note', message: 'The `flags[1].note` is empty: each flag needs a `note` saying why, in words (people read it months later).' },
    ]);
  });

  it('refuses a declaration on a blank account or subject: it names no one, and was stored on the account "" (until 2026-12-05)', () => {
    expect(checkFlagDeclarations([{ account: '   ', name: 'pause', note: 'why' }, { subject: ' ', name: 'pause', note: 'why' }])).toEqual([
      { field: 'flags[0].account', message: 'The `flags[0].account` is blank (only white space): it names no account, so the flag would apply to no one.' },
      { field: 'flags[1].subject', message: 'The `flags[1].subject` is blank (only white space): it names no one, so the flag would apply to no one.' },
    ]);
  });

  it('names the key a misspelt one likely means, as every configuration document does (`untill` → `until`)', () => {
    expect(checkFlagDeclarations([{ account: 'acme', name: 'pause', note: 'why', untill: '2027-01-15' }])).toEqual([
      { field: 'flags[0].untill', message: 'The `flags[0].untill` field is not one Tact knows here. Did you mean `until`? The fields are subject, account, name, note, until.' },
    ]);
  });

  it('adds what is declared and not open, replaces a changed declaration, clears what the file no longer declares, never touches people’s flags', () => {
    const acme = { kind: 'account' as const, id: 'acme' };
    const open = [
      flag({ id: 'f1', name: 'pause', note: 'old note' }),
      flag({ id: 'f2', name: 'gone' }),
      flag({ id: 'f3', name: 'manual', author: 'key:admin' }),
    ];
    const plan = reconcileFlags(
      [
        { account: 'acme', name: 'pause', note: 'new note' },
        { account: 'acme', name: 'manual', note: 'declared too' },
        { account: 'acme', name: 'fresh', note: 'n', until: '2099-01-01' },
        { account: 'acme', name: 'expired', note: 'n', until: '2000-01-01' },
        { subject: 'nobody', name: 'x', note: 'n' },
      ],
      open,
      (d) => (d.account ? acme : undefined),
      Date.parse('2026-11-30'),
    );
    expect(plan.add.map((a) => [a.name, a.note, a.author])).toEqual([['pause', 'new note', DECLARED_BY], ['fresh', 'n', DECLARED_BY]]);
    expect(plan.clear.sort()).toEqual(['f1', 'f2']);
    expect(plan.unresolved.map((d) => d.subject)).toEqual(['nobody']);
    // applying the same declarations to the result changes nothing
    const after = [flag({ id: 'f3', name: 'manual', author: 'key:admin' }), flag({ id: 'g1', name: 'pause', note: 'new note' }), flag({ id: 'g2', name: 'fresh', note: 'n', until: Date.parse('2099-01-01') })];
    const again = reconcileFlags([{ account: 'acme', name: 'pause', note: 'new note' }, { account: 'acme', name: 'manual', note: 'declared too' }, { account: 'acme', name: 'fresh', note: 'n', until: '2099-01-01' }], after, () => acme, Date.parse('2026-11-30'));
    expect(again).toEqual({ add: [], clear: [], unresolved: [] });
  });

  it('a declaration whose `until` was moved into the past ends the flag the file added, as it would a flag not declared any more', () => {
    const acme = { kind: 'account' as const, id: 'acme' };
    const now = Date.parse('2026-11-30T12:00:00Z');
    // The file added `pause` until 2027; an operator then ends it by setting `until` to a time just gone.
    const open = [flag({ id: 'f1', name: 'pause', until: Date.parse('2027-01-15') }), flag({ id: 'f2', name: 'manual', author: 'key:admin' })];
    const plan = reconcileFlags(
      [
        { account: 'acme', name: 'pause', note: 'n', until: new Date(now - 1).toISOString() },
        { account: 'acme', name: 'manual', note: 'n', until: '2000-01-01' },
      ],
      open,
      () => acme,
      now,
    );
    expect(plan).toEqual({ add: [], clear: ['f1'], unresolved: [] });
  });

  it('refuses a flag declared twice, naming the second; two identifiers of one person declare one flag, the first, and the plan settles', () => {
    expect(checkFlagDeclarations([{ account: 'acme', name: 'pause', note: 'a' }, { account: 'globex', name: 'pause', note: 'b' }, { account: 'acme', name: 'pause', note: 'c' }])).toEqual([
      { field: 'flags[2]', message: 'The `flags[2]` declares the flag `pause` on the account `acme` again (`flags[0]` declares it): declare each flag once.' },
    ]);
    // "ana" and "ana@example.com" are one profile: declared under both, the flag was cleared and re-added at every reconciliation.
    const ana = { kind: 'profile' as const, id: 'p-ana' };
    const decls = [{ subject: 'ana', name: 'vip', note: 'a' }, { subject: 'ana@example.com', name: 'vip', note: 'b' }];
    const first = reconcileFlags(decls, [], () => ana, 1000);
    expect(first.add.map((a) => a.note)).toEqual(['a']);
    const open = [flag({ id: 'g1', target: ana, name: 'vip', note: 'a' })];
    expect(reconcileFlags(decls, open, () => ana, 1000)).toEqual({ add: [], clear: [], unresolved: [] });
  });

  describe('through the server', () => {
    let h: Harness;
    afterEach(async () => h?.close());

    it('a flag in the config file takes effect in decisions, and removing it from the document clears it', async () => {
      const policy = { humanTerritory: [{ name: 'paused by an account manager', queue: 'account-managers', flags: ['procurement_delay'] }] };
      h = await harness('sqlite', { config: { ...shopConfig(policy), flags: [{ account: 'globex', name: 'procurement_delay', note: 'procurement review', until: '2099-01-15' }] } });
      await send(h.app, '/v1/identify', { userId: 'fin', context: advertising });
      await send(h.app, '/v1/group', { userId: 'fin', groupId: 'globex' });
      const d = (await decideReq(h.app, { subject: 'fin', placement: 'home' })).json();
      expect(d.choices[0]).toMatchObject({ kind: 'handoff', queue: 'account-managers' });
      const listed = (await get(h.app, '/v1/flags?account=globex')).json().flags;
      expect(listed).toMatchObject([{ name: 'procurement_delay', author: DECLARED_BY, active: true, note: 'procurement review' }]);
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [], reason: 'review finished' } });
      expect(put.statusCode, put.body).toBe(200);
      // Cleared by whoever PUT the version that no longer declares it: the key, not `config-file` (until 2026-12-05).
      expect((await get(h.app, '/v1/flags?account=globex')).json().flags[0]).toMatchObject({ active: false, clearedBy: expect.stringMatching(/^key .*\(/) });
      expect((await decideReq(h.app, { subject: 'fin', placement: 'home' })).json().choices[0].kind).not.toBe('handoff');
      // A flag declared through the API is its author's; a later version by another clears it, as theirs.
      const putFlags = (document: unknown[], author: string) => h.app.inject({ method: 'PUT', url: '/v1/config/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'account review', author } });
      expect((await putFlags([{ account: 'initech', name: 'procurement_delay', note: 'legal review' }], 'ana (account manager)')).statusCode).toBe(200);
      expect((await get(h.app, '/v1/flags?account=initech')).json().flags).toMatchObject([{ author: 'ana (account manager)', active: true }]);
      expect((await putFlags([], 'bo (account manager)')).statusCode).toBe(200);
      expect((await get(h.app, '/v1/flags?account=initech')).json().flags).toMatchObject([{ author: 'ana (account manager)', active: false, clearedBy: 'bo (account manager)' }]);
      const bad = await h.app.inject({ method: 'PUT', url: '/v1/config/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { document: [{ account: 'x', name: 'a b', note: 'n' }], reason: 'typo' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().problems[0].field).toContain('name');
      // An account id the merge rules in force block can never be an account: refused, naming it.
      const blocked = await putFlags([{ account: 'acme', name: 'pause', note: 'n' }, { account: 'null', name: 'pause', note: 'n' }], 'ana');
      expect([blocked.statusCode, blocked.json().problems]).toEqual([400, [{ field: 'flags[1].account', message: 'The `flags[1].account` `null` can never be an account: the value "null" is on the blocked list of the merge rules, so no group() call makes it and the flag would apply to no one.' }]]);
      // A subject no profile can ever hold waited for ever, "retried at the next change" (QA, 2026-12-05).
      const never = await putFlags([{ subject: 'null', name: 'pause', note: 'n' }, { subject: 'userId:undefined', name: 'pause', note: 'n' }], 'ana');
      expect([never.statusCode, never.json().problems?.map((p: { field: string }) => p.field)]).toEqual([400, ['flags[0].subject', 'flags[1].subject']]);
      expect(never.json().problems[1].message).toBe('The `flags[1].subject` `userId:undefined` can never name a profile: the value "undefined" is on the blocked list of the merge rules, so the flag would apply to no one.');
      // And an empty account is named as the account.
      const empty = await putFlags([{ account: '', name: 'pause', note: 'n' }], 'ana');
      expect(empty.json().problems?.[0]?.field).toBe('flags[0].account');
    });
  });

  it('two processes on one PostgreSQL applying the same declarations at once write one flag; one re-added after a person cleared it is a new row', async () => {
    const { store: storeA, url, cleanup } = await openTestStore('postgres');
    const storeB = await openPostgresStore({ connectionString: url as string, poolSize: 4 });
    const decls = [{ account: 'initech', name: 'procurement_delay', note: 'legal review', until: '2099-01-15' }];
    const put = (store: Store) => store.documents.put('flags', decls, { author: 'test', reason: 'declare' });
    await put(storeA);
    const tacts = await Promise.all([storeA, storeB].map((store) => Tact.create({ store, logger: pino({ level: 'silent' }), background: false })));
    try {
      await Promise.all(tacts.map((t) => t.decide.applyDeclaredFlags()));
      await Promise.all(tacts.map((t) => t.decide.applyDeclaredFlags()));
      const rows = await storeA.decisions.flagsOf({ kind: 'account', id: 'initech' });
      expect(rows.map((f) => [f.name, f.author, f.clearedAt])).toEqual([['procurement_delay', 'test', null]]);
      // A person clears it; the configuration still declares it, so the next reconciliation adds it again, as a new row.
      await tacts[0].decide.flags.clear(rows[0].id, 'key:admin');
      await Promise.all(tacts.map((t) => t.decide.applyDeclaredFlags()));
      const history = await storeA.decisions.flagsOf({ kind: 'account', id: 'initech' });
      expect(history.map((f) => f.clearedBy)).toEqual(['key:admin', null]);
    } finally {
      for (const t of tacts) await t.close();
      await storeB.close();
      await cleanup();
    }
  });
});
