import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../ops/metrics.js';
import { get, harness, metricValue, send, type Harness } from '../../test/harness.js';
import { conflictKindLabel, conflictReasonLabel, identityCounter } from './identity-counts.js';
import { identifiersOf } from './identifiers.js';
import { DEFAULT_MERGE_RULES } from './merge-rules.js';
import type { Message } from '../collect/message.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A labelled counter's value from the /metrics text; 0 when the series is absent. */
const series = (text: string, name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

describe('identity merges and conflicts on /metrics', () => {
  // QA: nothing showed how often identities conflicted or profiles merged across all profiles;
  // only each profile's own identityConflicts did.
  it('count every merge, and every message that hit a conflict by kind and reason', async () => {
    h = await harness('sqlite');
    expect(await metricValue(h.app, 'tact_identity_merges_total')).toBe(0);
    await send(h.app, '/v1/identify', { userId: 'alice', anonymousId: 'shared-device' });
    for (let i = 0; i < 3; i++) await send(h.app, '/v1/track', { userId: 'bob', anonymousId: 'shared-device', event: 'Viewed' });
    await send(h.app, '/v1/identify', { userId: 'carol', traits: { email: 'undefined' } });
    await send(h.app, '/v1/track', { anonymousId: 'visitor-1', event: 'Viewed' });
    await send(h.app, '/v1/alias', { previousId: 'visitor-1', userId: 'carol' });
    const text = (await get(h.app, '/metrics')).body;
    expect(series(text, 'tact_identity_conflicts_total', 'kind="anonymousId",reason="limit"')).toBe(3);
    expect(series(text, 'tact_identity_conflicts_total', 'kind="email",reason="blocked"')).toBe(1);
    expect(await metricValue(h.app, 'tact_identity_merges_total')).toBe(1);
    // The profiles record the same conflicts.
    expect((await get(h.app, '/v1/profiles/bob')).json().identityConflicts).toEqual([expect.objectContaining({ kind: 'anonymousId', count: 3 })]);
  });
});

describe('the labels of a conflict', () => {
  const msg = (m: Partial<Message>): Message => ({ messageId: 'm', type: 'track', event: 'E', context: {}, timestamp: 0, receivedAt: 0, ...m });

  it('are bounded: an external id\'s type counts as `external`, each reason Tact records as one of seven', () => {
    expect(['userId', 'email', 'previousId', 'groupId', 'role', 'ios.idfa', '', 'phone'].map(conflictKindLabel)).toEqual(['userId', 'email', 'previousId', 'groupId', 'role', 'external', 'external', 'external']);
    const reasons = (m: Partial<Message>) => identifiersOf(msg(m), DEFAULT_MERGE_RULES).ignored.map((i) => conflictReasonLabel(i.reason));
    expect(reasons({ userId: 'null', anonymousId: '000-000', context: { traits: { email: 'no-at-sign' } } })).toEqual(['blocked', 'not_email', 'blocked']);
    expect(reasons({ anonymousId: 'a', userId: 'x'.repeat(600), context: { externalIds: [{ id: 'c', type: 'crm', collection: 'accounts' }, { id: { a: 1 }, type: 'crm' }, { id: 'd', type: 't'.repeat(101) }] } })).toEqual(['too_long', 'account', 'unreadable', 'too_long']);
    expect(conflictReasonLabel('adding it to the profile would give the profile 6 email values and the merge rules allow 5')).toBe('limit');
    expect(conflictReasonLabel('merging would give one profile 2 userId values and the merge rules allow 1')).toBe('limit');
    // A consent value not a boolean (profile-state.ts) counts as consent, not as an external id's unreadable value.
    expect([conflictKindLabel('consent'), conflictReasonLabel('The consent for `Advertising` was "false" (a string), not a boolean: …', 'consent')]).toEqual(['consent', 'consent']);
  });
});

describe('the log of identity conflicts', () => {
  it('says each reason at most once a minute, counting those it did not say', () => {
    const lines: Record<string, unknown>[] = [];
    let t = 0;
    const metrics = new Metrics();
    const count = identityCounter(metrics, (data) => lines.push(data), () => t);
    const limit = { profileId: 'p', kind: 'userId', reason: 'merging would give one profile 2 userId values and the merge rules allow 1' };
    const blocked = { profileId: 'p', kind: 'email', reason: 'the value "undefined" is on the blocked list of the merge rules' };
    count({ merges: [], conflicts: [limit, blocked] });
    t = 30_000;
    count({ merges: [], conflicts: [{ ...limit, count: 4 }] });
    expect(lines.map((l) => [l.reason, l.conflicts])).toEqual([['limit', 1], ['blocked', 1]]);
    t = 60_000;
    count({ merges: [{}], conflicts: [limit] });
    expect(lines.map((l) => [l.reason, l.conflicts])).toEqual([['limit', 1], ['blocked', 1], ['limit', 5]]);
  });
});
