import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { identifiersOf, normalizeIdentifier } from './identifiers.js';
import { IdentityIndex } from './identity-index.js';
import { DEFAULT_MERGE_RULES, withDefaults } from './merge-rules.js';
import { resolveIdentity } from './resolve.js';

const msg = (m: Partial<Message>): Message => ({ messageId: 'm', type: 'track', event: 'E', context: {}, timestamp: 0, receivedAt: 0, ...m });

describe('identifiersOf', () => {
  it('sets a blocked userId aside and keeps the usable anonymousId, saying which field was blocked', () => {
    const { ids, ignored } = identifiersOf(msg({ userId: 'null', anonymousId: 'a-1' }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-1' }]);
    expect(ignored).toEqual([{ kind: 'userId', value: 'null', field: 'userId', reason: expect.stringContaining('blocked list') }]);
  });

  it('sets an id of white space alone aside, quoting it as sent and saying why (not as "" on the blocked list)', () => {
    const { ids, ignored } = identifiersOf(msg({ userId: ' ', anonymousId: 'a-1' }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-1' }]);
    expect(ignored).toEqual([{ kind: 'userId', value: ' ', field: 'userId', reason: 'the value " " is white space alone, which identifies no one' }]);
  });

  it('finds nothing usable in a message whose only identifiers are blocked, and names each field', () => {
    const { ids, ignored } = identifiersOf(msg({ type: 'identify', userId: ' NULL ', anonymousId: '0', traits: { email: 'test@test.com' } }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([]);
    expect(ignored.map((i) => i.field)).toEqual(['userId', 'traits.email', 'anonymousId']);
  });

  it('sets aside a value longer than 512 characters or a type longer than 100, recording only their start', () => {
    const long = 'x'.repeat(513);
    const { ids, ignored } = identifiersOf(msg({ type: 'identify', userId: 'u-1', traits: { email: `${long}@x.io` }, context: { externalIds: [{ id: long, type: 'device', collection: 'users' }, { id: 'd-1', type: 't'.repeat(101), collection: 'users' }, { id: 'x'.repeat(512), type: 't'.repeat(100), collection: 'users' }] } }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'userId', value: 'u-1' }, { kind: 't'.repeat(100), value: 'x'.repeat(512) }]);
    expect(ignored).toEqual([
      { kind: 'email', value: `${'x'.repeat(64)}…`, field: 'traits.email', reason: 'it is 518 characters long, and an identifier may be at most 512' },
      { kind: 'device', value: `${'x'.repeat(64)}…`, field: 'context.externalIds[0].id', reason: 'it is 513 characters long, and an identifier may be at most 512' },
      { kind: `${'t'.repeat(64)}…`, value: 'd-1', field: 'context.externalIds[1].type', reason: 'its type is 101 characters long, and an identifier\'s type may be at most 100' },
    ]);
  });

  it('never takes the nil UUID, which devices send for an advertising id when ad tracking is limited', () => {
    // Apple's ASIdentifierManager.advertisingIdentifier and Google's AdvertisingIdClient both give
    // 00000000-0000-0000-0000-000000000000 when the user limits ad tracking; Segment's suggested
    // blocked values (Identity Resolution settings) include a "zeroes and dashes" pattern matching it.
    const { ids } = identifiersOf(msg({ userId: 'u-1', context: { externalIds: [{ id: '00000000-0000-0000-0000-000000000000', type: 'ios.idfa', collection: 'users', encoding: 'none' }] } }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'userId', value: 'u-1' }]);
  });

  it('takes no person identifier from an externalId of an account (collection "accounts")', () => {
    // Segment's externalIds spec: `collection` is "users" for a user-level identifier and "accounts"
    // for a group-level one; an account's id shared by every member would merge them all.
    const m = msg({ anonymousId: 'a-2', context: { externalIds: [
      { id: 'sf-001', type: 'salesforce_id', collection: 'accounts', encoding: 'none' },
      { id: 'ph-1', type: 'phone', collection: 'users', encoding: 'none' },
      { id: 'zd-9', type: 'zendesk_id' },
    ] } });
    const { ids, ignored } = identifiersOf(m, DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'phone', value: 'ph-1' }, { kind: 'zendesk_id', value: 'zd-9' }, { kind: 'anonymousId', value: 'a-2' }]);
    expect(ignored).toEqual([{ kind: 'salesforce_id', value: 'sf-001', field: 'context.externalIds[0].id', reason: expect.stringContaining('account') }]);
  });

  it('takes no identifier from an externalId whose type is empty or blank, and names its `type` field', () => {
    // An id of kind '' would be one identity for every client that sends such ids: all whose values
    // happen to match ("1", a shared default) would merge into one person.
    const m = msg({ anonymousId: 'a-3', context: { externalIds: [{ id: 'x-1', type: '' }, { id: 'x-1', type: '  ' }, { id: 'x-1', type: 'crm_id' }] } });
    const { ids, ignored } = identifiersOf(m, DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'crm_id', value: 'x-1' }, { kind: 'anonymousId', value: 'a-3' }]);
    expect(ignored.map((i) => [i.field, i.value])).toEqual([['context.externalIds[0].type', 'x-1'], ['context.externalIds[1].type', 'x-1']]);
    expect(ignored[0].reason).toContain('type');
  });

  it('bounds every value, kind and reason it sets aside, as the profile records them (identityConflicts)', () => {
    // An account's external id, an id of blank type, a blocked run of zeroes, an e-mail without "@"
    // are kept whatever their length: only their start is recorded, and a blank type is kind ''.
    const big = 'y'.repeat(5000);
    const m = msg({ type: 'identify', anonymousId: 'a-4', traits: { email: 'n'.repeat(500) }, context: { externalIds: [
      { id: big, type: 'crm', collection: 'accounts' }, { id: 'c-1', type: 'crm', collection: big }, { id: big, type: ' '.repeat(3000) }, { id: '0'.repeat(400), type: 'phone' },
    ] } });
    const { ids, ignored } = identifiersOf(m, DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-4' }]);
    expect(ignored.map((i) => [i.kind, i.value])).toEqual([['email', `${'n'.repeat(64)}…`], ['crm', `${'y'.repeat(64)}…`], ['crm', 'c-1'], ['', `${'y'.repeat(64)}…`], ['phone', `${'0'.repeat(64)}…`]]);
    expect(ignored[2].reason).toBe(`it identifies an account (collection "${'y'.repeat(64)}…"), not a person`);
    for (const i of ignored) expect(i.reason.length).toBeLessThan(600);
  });

  it('sets aside an external id sent as a number JSON does not hold exactly, so two 64-bit ids do not become one', () => {
    // JSON.parse reads 12345678901234567890 and …891 as one double, 12345678901234567000: taken, two
    // people merged. A userId so sent is refused (normalizeMessage); an external id is set aside.
    const big = (id: number) => identifiersOf(msg({ anonymousId: 'big1', context: { externalIds: [{ type: 'crm_id', id }] } }), DEFAULT_MERGE_RULES);
    const { ids, ignored } = big(12345678901234567890);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'big1' }]);
    expect(ignored).toEqual([{ kind: 'crm_id', value: '12345678901234567000', field: 'context.externalIds[0].id', reason: expect.stringContaining('beyond 9007199254740991 (2^53 − 1)') }]);
    expect(big(1.5).ignored).toEqual([expect.objectContaining({ value: '1.5', reason: 'it is the number 1.5, not a whole one (send an id as a string)' })]);
    // A whole number held exactly is read by its digits, as before.
    expect(big(9007199254740991).ids[0]).toEqual({ kind: 'crm_id', value: '9007199254740991' });
  });

  it('records, rather than passes over, externalIds in a shape it cannot read: an id that is an object, an entry with no type, a list that is an object', () => {
    const { ids, ignored } = identifiersOf(msg({ anonymousId: 'a-5', context: { externalIds: [{ type: 'crm_id', id: { value: 'c-1' } }, { id: 'c-2' }, 'c-3', { type: 'phone', id: true }] } }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-5' }]);
    expect(ignored).toEqual([
      { kind: 'crm_id', value: '{"value":"c-1"}', field: 'context.externalIds[0].id', reason: 'it is an object, not a string or a number' },
      { kind: '', value: 'c-2', field: 'context.externalIds[1].type', reason: 'it has no `type`: an external id needs one (such as "phone" or "ios.idfa") to say what kind of id it is' },
      { kind: '', value: '"c-3"', field: 'context.externalIds[2]', reason: 'it is a string, not an external id ({ id, type })' },
      { kind: 'phone', value: 'true', field: 'context.externalIds[3].id', reason: 'it is a boolean, not a string or a number' },
    ]);
    const asObject = identifiersOf(msg({ anonymousId: 'a-6', context: { externalIds: { type: 'crm_id', id: 'c-1' } } }), DEFAULT_MERGE_RULES);
    expect(asObject.ids).toEqual([{ kind: 'anonymousId', value: 'a-6' }]);
    expect(asObject.ignored).toEqual([{ kind: 'externalIds', value: '{"type":"crm_id","id":"c-1"}', field: 'context.externalIds', reason: 'it is an object, not a list of external ids ({ id, type }): none of its ids was read' }]);
    // An entry with a null id (none sent) is no identifier, and nothing to record.
    expect(identifiersOf(msg({ anonymousId: 'a-7', context: { externalIds: [{ type: 'crm_id', id: null }] } }), DEFAULT_MERGE_RULES).ignored).toEqual([]);
  });

  it('reads an e-mail the same whether its accents are composed or decomposed (NFC)', () => {
    // Unicode Standard Annex #15: "é" is U+00E9 (composed) or U+0065 U+0301 (decomposed); NFC makes both U+00E9.
    const composed = 'Ana.Mart\u00EDnez@Example.com';
    const decomposed = 'Ana.Marti\u0301nez@Example.com';
    expect(composed).not.toBe(decomposed);
    expect(normalizeIdentifier('email', decomposed)).toBe(normalizeIdentifier('email', composed));
    expect(normalizeIdentifier('email', composed)).toBe('ana.mart\u00EDnez@example.com');
    const a = identifiersOf(msg({ type: 'identify', anonymousId: 'x', traits: { email: composed } }), DEFAULT_MERGE_RULES).ids;
    const b = identifiersOf(msg({ anonymousId: 'y', context: { traits: { email: decomposed } } }), DEFAULT_MERGE_RULES).ids;
    expect(a[0]).toEqual(b[0]);
    // Other kinds are opaque ids: kept as sent but for the surrounding spaces.
    expect(normalizeIdentifier('userId', ' Marti\u0301n ')).toBe('Marti\u0301n');
  });
});

describe('e-mails as clients send them', () => {
  // QA: `a@x.com` with a zero-width space after it became an identity of its own, and
  // `MAILTO:a@x.com` and `<b@x.com>` were taken as addresses (the only check was an "@").
  it('lose invisible format characters, angle brackets and a leading mailto:, and are one address', () => {
    for (const sent of ['a@x.com\u200B', '\uFEFFa@x.com', 'a\u200D@x\u2060.com', 'MAILTO:a@x.com', 'mailto: A@X.com', '<a@x.com>', ' <MailTo:a@x.com> ', 'Ana <a@x.com>']) {
      expect(normalizeIdentifier('email', sent), JSON.stringify(sent)).toBe('a@x.com');
    }
    const ids = (email: string) => identifiersOf(msg({ type: 'identify', userId: 'u', traits: { email } }), DEFAULT_MERGE_RULES);
    expect(ids('a@x.com\u200B').ids).toEqual([{ kind: 'userId', value: 'u' }, { kind: 'email', value: 'a@x.com' }]);
    expect(ids('<b@x.com>').ids).toEqual([{ kind: 'userId', value: 'u' }, { kind: 'email', value: 'b@x.com' }]);
    // Other kinds are opaque ids: a zero-width space in a userId is the client's own.
    expect(normalizeIdentifier('userId', 'u\u200B')).toBe('u\u200B');
  });

  it('are set aside as a conflict when what is left is no address: no text around its "@", a space or a bracket inside', () => {
    for (const email of ['@x.com', 'a@', 'mailto:a', 'a b@x.com', 'a@x.com b', 'a<b@x.com']) {
      const { ids, ignored } = identifiersOf(msg({ type: 'identify', userId: 'u', traits: { email } }), DEFAULT_MERGE_RULES);
      expect(ids, email).toEqual([{ kind: 'userId', value: 'u' }]);
      expect(ignored.map((i) => i.reason), email).toEqual(['it is not an e-mail address']);
    }
    // Permissive otherwise: a domain without a dot, a "+" tag, a quoted "@" in the local part.
    for (const email of ['ana@localhost', 'ana+tag@x.io', '"a@b"@x.io']) expect(identifiersOf(msg({ type: 'identify', traits: { email } }), DEFAULT_MERGE_RULES).ids, email).toEqual([{ kind: 'email', value: email }]);
  });
});

describe('identifier kinds the merge rules do not list', () => {
  // Segment's Identity Resolution settings: "All other identifiers are in alphabetical order"
  // after the ranked ones; Tact puts them there too, before a trailing anonymousId.
  const ext = (...types: string[]) => types.map((type) => ({ id: `${type}-1`, type, collection: 'users', encoding: 'none' }));
  const kinds = (m: Partial<Message>, rules = DEFAULT_MERGE_RULES) => identifiersOf(msg(m), rules).ids.map((i) => i.kind);

  it('rank in name order, whatever order the client listed them in', () => {
    expect(kinds({ anonymousId: 'a', context: { externalIds: ext('zendesk_id', 'phone') } })).toEqual(['phone', 'zendesk_id', 'anonymousId']);
    expect(kinds({ anonymousId: 'a', context: { externalIds: ext('phone', 'zendesk_id') } })).toEqual(['phone', 'zendesk_id', 'anonymousId']);
  });

  it('rank after every listed kind when anonymousId is not listed last, and an unlisted anonymousId ranks last', () => {
    const anonAboveEmail = withDefaults({ priority: ['userId', 'anonymousId', 'email'] });
    expect(kinds({ userId: 'u', anonymousId: 'a', context: { traits: { email: 'e@x.io' }, externalIds: ext('phone') } }, anonAboveEmail)).toEqual(['userId', 'anonymousId', 'email', 'phone']);
    const noAnon = withDefaults({ priority: ['userId', 'email'] });
    expect(kinds({ userId: 'u', anonymousId: 'a', context: { externalIds: ext('zendesk_id', 'phone') } }, noAnon)).toEqual(['userId', 'phone', 'zendesk_id', 'anonymousId']);
  });

  it('resolve a message to the same profile whichever order its externalIds came in', () => {
    // Two people: one known by phone, the other by a Zendesk id (one userId each, the default limit 1).
    const resolveWith = (types: string[]) => {
      const index = new IdentityIndex();
      index.load('p-phone', { kind: 'phone', value: 'phone-1' }, 1);
      index.load('p-phone', { kind: 'userId', value: 'u1' }, 1);
      index.load('p-zendesk', { kind: 'zendesk_id', value: 'zendesk_id-1' }, 2);
      index.load('p-zendesk', { kind: 'userId', value: 'u2' }, 2);
      const { ids } = identifiersOf(msg({ anonymousId: 'a', context: { externalIds: ext(...types) } }), DEFAULT_MERGE_RULES);
      return resolveIdentity(index, ids, DEFAULT_MERGE_RULES, { messageId: 'm', at: 3, reason: 'track', newId: () => 'p-new' });
    };
    const a = resolveWith(['zendesk_id', 'phone']);
    const b = resolveWith(['phone', 'zendesk_id']);
    expect(a.profileId).toBe('p-phone');
    expect(b.profileId).toBe('p-phone');
    expect(a.dropped.map((d) => d.kind)).toEqual(['zendesk_id']);
  });
});
