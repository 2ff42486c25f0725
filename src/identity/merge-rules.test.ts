import { describe, expect, it } from 'vitest';
import { identifiersOf } from './identifiers.js';
import { checkMergeRules, DEFAULT_MERGE_RULES, isBlocked, withDefaults } from './merge-rules.js';

describe('merge rules an operator sets', () => {
  it('keep the default limits of the kinds they do not mention', () => {
    const rules = withDefaults({ limits: { userId: 2 } });
    expect(rules.limits).toEqual({ userId: 2, email: 5 });
    expect(rules.blocked).toEqual(DEFAULT_MERGE_RULES.blocked);
    expect(rules.priority).toEqual(DEFAULT_MERGE_RULES.priority);
  });

  it('add their blocked values to the defaults rather than replace them', () => {
    // Segment recommends adding the team's own hard-coded values (such as "void") on top of the suggested ones.
    const rules = withDefaults({ blocked: ['void', 'abc123'] });
    for (const v of ['void', 'ABC123', 'null', 'anonymous', '-1', '']) expect(isBlocked(rules, v), v).toBe(true);
  });

  it('lift a default only when they say so: a limit set to null, a value listed in `unblocked`', () => {
    const rules = withDefaults({ limits: { email: null }, unblocked: ['0', 'Guest'] });
    expect(rules.limits).toEqual({ userId: 1 });
    expect(isBlocked(rules, '0')).toBe(false);
    expect(isBlocked(rules, 'guest')).toBe(false);
    expect(isBlocked(rules, 'null')).toBe(true);
    // The empty value is never an identifier, whatever the rules say.
    expect(isBlocked(withDefaults({ unblocked: [''] }), ' ')).toBe(true);
  });

  it('are checked, naming the field', () => {
    expect(checkMergeRules({ limits: { email: null } })).toEqual([]);
    expect(checkMergeRules({ limits: { email: 0 } }).map((p) => p.field)).toEqual(['limits.email']);
    expect(checkMergeRules({ unblocked: 'null' }).map((p) => p.field)).toEqual(['unblocked']);
  });
});

describe('values made only of zeroes and dashes', () => {
  // Segment's Identity Resolution settings suggest blocking, for every identifier, the pattern
  // "Zeroes and Dashes (^[0-]*$)": placeholders such as a phone "000-000-0000" or an id "0000",
  // which every client without a real value sends and which would merge all of them.
  it('are blocked by default, like "0" and the nil UUID, saying why', () => {
    for (const v of ['000', ' 0000 ', '000-000-0000', '--', '-', '00000000-0000-0000-0000-000000000000']) expect(isBlocked(DEFAULT_MERGE_RULES, v), v).toBe(true);
    for (const v of ['0001', '10-0', '-2', 'O00']) expect(isBlocked(DEFAULT_MERGE_RULES, v), v).toBe(false);
    const { ids, ignored } = identifiersOf({ messageId: 'm', type: 'track', event: 'E', anonymousId: 'a-1', context: { externalIds: [{ id: '000-000-0000', type: 'phone', collection: 'users', encoding: 'none' }] }, timestamp: 0, receivedAt: 0 }, DEFAULT_MERGE_RULES);
    expect(ids).toEqual([{ kind: 'anonymousId', value: 'a-1' }]);
    expect(ignored).toEqual([{ kind: 'phone', value: '000-000-0000', field: 'context.externalIds[0].id', reason: 'the value "000-000-0000" is only zeroes and dashes, a placeholder the merge rules block (Segment\'s suggested pattern ^[0-]*$; list it in `unblocked` to use it)' }]);
  });

  it('are used when the operator unblocks that very value', () => {
    const rules = withDefaults({ unblocked: ['0000', '0'] });
    expect(isBlocked(rules, '0000')).toBe(false);
    expect(isBlocked(rules, '0')).toBe(false);
    expect(isBlocked(rules, '000')).toBe(true);
  });
});

describe('the merge-rules document', () => {
  it('takes `unblocked` as one of its fields', async () => {
    const { mergeRulesKind } = await import('./merge-rules-kind.js');
    const { unknownFields } = await import('../config/document-kind.js');
    expect(unknownFields({ limits: {}, blocked: [], unblocked: [], priority: [] }, mergeRulesKind.fields ?? [])).toEqual([]);
  });
});

describe('merge rules written with Segment\'s identifier names', () => {
  it('are refused, naming the field and Tact\'s kind: `user_id` would limit nothing, and put e-mails above user ids', async () => {
    // Segment's Identity Resolution settings call the kinds user_id and anonymous_id; Tact reads
    // context.externalIds of those types as userId and anonymousId, so no identity is ever of
    // kind user_id. Taken as written, `limits: { user_id: 2 }` raised no limit, and
    // `priority: [user_id, email, anonymous_id]` left userId unlisted: ranked after email.
    expect(checkMergeRules({ limits: { user_id: 2 }, priority: ['user_id', 'email', 'anonymous_id'] })).toEqual([
      { field: 'limits.user_id', message: 'The merge rules know no identifier kind `user_id`: Tact calls it `userId` (Segment\'s user_id). Write `limits.userId`.' },
      { field: 'priority[0]', message: 'The merge rules know no identifier kind `user_id`: Tact calls it `userId` (Segment\'s user_id). Write `userId`.' },
      { field: 'priority[2]', message: 'The merge rules know no identifier kind `anonymous_id`: Tact calls it `anonymousId` (Segment\'s anonymous_id). Write `anonymousId`.' },
    ]);
    expect(checkMergeRules({ limits: { userId: 2, phone: 1 }, priority: ['userId', 'phone', 'email', 'anonymousId'] })).toEqual([]);
    const { harness, KEYS, bearer } = await import('../../test/harness.js');
    const h = await harness('sqlite');
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { priority: ['user_id', 'email', 'anonymous_id'] }, reason: 'as in Segment' } });
      expect(put.statusCode, put.body).toBe(400);
      expect(put.json().problems.map((p: { field: string }) => p.field)).toEqual(['priority[0]', 'priority[2]']);
    } finally {
      await h.close();
    }
  });
});

describe('merge rules naming one of Tact\'s kinds in another case or with `_`', () => {
  it('are refused, naming the field and the kind meant: `userid` would limit nothing, and rank user ids after e-mails', async () => {
    // Kinds are compared exactly: taken as written, `limits: { userid: 1 }` limited nothing and
    // `priority: [userid, email, anonymousId]` left userId unlisted, so a second person's identify
    // sharing an e-mail merged into the first.
    expect(checkMergeRules({ limits: { userid: 1, Email: 2 }, priority: ['userid', 'E_mail', 'anonymousID'] })).toEqual([
      { field: 'limits.userid', message: 'The merge rules know no identifier kind `userid`: kinds are compared exactly, and Tact\'s is `userId`. Write `limits.userId`.' },
      { field: 'limits.Email', message: 'The merge rules know no identifier kind `Email`: kinds are compared exactly, and Tact\'s is `email`. Write `limits.email`.' },
      { field: 'priority[0]', message: 'The merge rules know no identifier kind `userid`: kinds are compared exactly, and Tact\'s is `userId`. Write `userId`.' },
      { field: 'priority[1]', message: 'The merge rules know no identifier kind `E_mail`: kinds are compared exactly, and Tact\'s is `email`. Write `email`.' },
      { field: 'priority[2]', message: 'The merge rules know no identifier kind `anonymousID`: kinds are compared exactly, and Tact\'s is `anonymousId`. Write `anonymousId`.' },
    ]);
    // An external id's own kinds stay allowed, whatever their case.
    expect(checkMergeRules({ limits: { Phone: 1, crm_id: 1, 'ios.idfa': 2 }, priority: ['userId', 'Phone', 'crm_id', 'email', 'anonymousId'] })).toEqual([]);
    const { harness, KEYS, bearer } = await import('../../test/harness.js');
    const h = await harness('sqlite');
    try {
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { limits: { userid: 1 }, priority: ['userid', 'email', 'anonymousId'] }, reason: 'typo' } });
      expect(put.statusCode, put.body).toBe(400);
      expect(put.json().problems.map((p: { field: string }) => p.field)).toEqual(['limits.userid', 'priority[0]']);
    } finally {
      await h.close();
    }
  });
});
