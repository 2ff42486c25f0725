import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { identifiersOf, normalizeIdentifier } from './identifiers.js';
import { DEFAULT_MERGE_RULES } from './merge-rules.js';

const msg = (m: Partial<Message>): Message => ({ messageId: 'm', type: 'track', event: 'E', context: {}, timestamp: 0, receivedAt: 0, ...m });

describe('identifiersOf', () => {
  it('sets a blocked userId aside and keeps the usable anonymousId, saying which field was blocked', () => {
    const { ids, ignored } = identifiersOf(msg({ userId: 'null', anonymousId: 'a-1' }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-1' }]);
    expect(ignored).toEqual([{ kind: 'userId', value: 'null', field: 'userId', reason: expect.stringContaining('blocked list') }]);
  });

  it('finds nothing usable in a message whose only identifiers are blocked, and names each field', () => {
    const { ids, ignored } = identifiersOf(msg({ type: 'identify', userId: ' NULL ', anonymousId: '0', traits: { email: 'test@test.com' } }), DEFAULT_MERGE_RULES);
    expect(ids).toEqual([]);
    expect(ignored.map((i) => i.field)).toEqual(['userId', 'traits.email', 'anonymousId']);
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
