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
    // A list is no rules: it was stored, and the config file's limits stopped applying.
    for (const doc of [['a'], [], [{ limits: { userId: 1 } }]]) {
      expect(checkMergeRules(doc), JSON.stringify(doc)).toEqual([{ field: 'mergeRules', message: 'The merge rules must be a JSON object with `limits`, `blocked` and `priority`; it was a list.' }]);
    }
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

describe('a priority that leaves out Tact\'s own kinds', () => {
  // QA: `priority: []` ranked every kind not listed in name order, `email` before `userId`, so a
  // second person's track sharing the first one's e-mail joined the first one's profile.
  it('keeps userId above email, and is warned of, saying the order in force', async () => {
    const { harness, KEYS, bearer, send, get } = await import('../../test/harness.js');
    const priorities: string[][] = [[], ['anonymousId'], ['userId']];
    for (const [n, priority] of priorities.entries()) {
      const h = await harness('sqlite');
      try {
        const put = await h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { limits: { userId: 1 }, priority }, reason: 'qa' } });
        expect(put.statusCode, put.body).toBe(200);
        const warned = (put.json().warnings as { field: string; message: string }[]).filter((w) => w.field === 'priority');
        if (priority.length === 1 && priority[0] === 'userId') expect(warned.map((w) => w.message)).toEqual(['The `priority` leaves out `email` and `anonymousId`: a kind not listed ranks after the listed ones, in the default order (userId, email, other external ids, anonymousId), and before an `anonymousId` listed last. The order in force is `userId`, `email`, other external ids (by name), `anonymousId`. The rules are applied; list them to place them elsewhere.']);
        else expect(warned.map((w) => w.message.match(/The order in force is [^.]*/)?.[0])).toEqual(['The order in force is `userId`, `email`, other external ids (by name), `anonymousId`']);
        expect((await send(h.app, '/v1/identify', { userId: `i${n}-u1`, traits: { email: `i${n}-e1@x.com` } })).statusCode).toBe(200);
        expect((await send(h.app, '/v1/track', { userId: `i${n}-u2`, event: 'Viewed', context: { traits: { email: `i${n}-e1@x.com` } } })).statusCode).toBe(200);
        const u2 = await get(h.app, `/v1/profiles/i${n}-u2?events=5`);
        expect(u2.statusCode, `${JSON.stringify(priority)}: ${u2.body}`).toBe(200);
        expect(u2.json().recentEvents.map((e: { event: string }) => e.event)).toEqual(['Viewed']);
        const u1 = (await get(h.app, `/v1/profiles/i${n}-u1?events=5`)).json() as { id: string; recentEvents: { event?: string }[] };
        expect(u1.id).not.toBe(u2.json().id);
        expect(u1.recentEvents.map((e) => e.event)).not.toContain('Viewed');
      } finally {
        await h.close();
      }
    }
  });

  it('rank in the default order after the listed ones, before an anonymousId listed last', async () => {
    const { kindRank } = await import('./merge-rules.js');
    const order = (priority: string[], kinds = ['anonymousId', 'phone', 'email', 'userId', 'crm']) => {
      const rules = withDefaults({ priority });
      return [...kinds].sort((a, b) => kindRank(rules, a) - kindRank(rules, b) || (a < b ? -1 : 1));
    };
    expect(order([])).toEqual(['userId', 'email', 'crm', 'phone', 'anonymousId']);
    expect(order(['anonymousId'])).toEqual(['userId', 'email', 'crm', 'phone', 'anonymousId']);
    expect(order(['email'])).toEqual(['email', 'userId', 'crm', 'phone', 'anonymousId']);
    expect(order(['phone', 'anonymousId'])).toEqual(['phone', 'userId', 'email', 'crm', 'anonymousId']);
    expect(order(['anonymousId', 'email'])).toEqual(['anonymousId', 'email', 'userId', 'crm', 'phone']);
    expect(order(DEFAULT_MERGE_RULES.priority)).toEqual(['userId', 'email', 'crm', 'phone', 'anonymousId']);
  });
});

describe('merge rules with a likely typo', () => {
  it('warn of a kind a letter or two from one of Tact\'s, naming it', async () => {
    const { mergeRulesWarnings } = await import('./merge-rules-warnings.js');
    expect(checkMergeRules({ limits: { emial: 2 }, priority: ['userId', 'emial', 'anonymousId'] })).toEqual([]);
    expect(mergeRulesWarnings({ limits: { emial: 2 }, priority: ['userId', 'emial', 'anonymousId'] }).map((w) => [w.field, w.message.match(/Did you mean `(\w+)`/)?.[1]])).toEqual([
      ['limits.emial', 'email'],
      ['priority[1]', 'email'],
      ['priority', undefined],
    ]);
    // An external id's kind far from Tact's is taken in silence.
    expect(mergeRulesWarnings({ limits: { phone: 1, crm_id: 2 }, priority: ['userId', 'phone', 'email', 'anonymousId'] })).toEqual([]);
  });

  it('refuse a kind listed twice in `priority` and a blank `unblocked` value, naming the index', async () => {
    expect(checkMergeRules({ priority: ['userId', 'email', 'userId'] })).toEqual([
      { field: 'priority[2]', message: 'The `priority[2]` `userId` is listed already, at `priority[0]`: a kind has one place in the order. Leave out one of them.' },
    ]);
    expect(checkMergeRules({ unblocked: ['guest', ' ', ''] }).map((p) => p.field)).toEqual(['unblocked[1]', 'unblocked[2]']);
    const { harness, KEYS, bearer } = await import('../../test/harness.js');
    const h = await harness('sqlite');
    try {
      const put = (document: unknown) => h.app.inject({ method: 'PUT', url: '/v1/config/merge-rules', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'typo' } });
      const twice = await put({ priority: ['userId', 'userId'] });
      expect(twice.statusCode, twice.body).toBe(400);
      expect(twice.json().problems.map((p: { field: string }) => p.field)).toEqual(['priority[1]']);
      const blank = await put({ unblocked: [''] });
      expect(blank.statusCode, blank.body).toBe(400);
      expect(blank.json().problems.map((p: { field: string }) => p.field)).toEqual(['unblocked[0]']);
      const typo = await put({ limits: { emial: 2 } });
      expect(typo.statusCode, typo.body).toBe(200);
      expect(typo.json().warnings).toEqual([expect.objectContaining({ field: 'limits.emial', message: expect.stringContaining('Did you mean `email`?') })]);
    } finally {
      await h.close();
    }
  });
});
