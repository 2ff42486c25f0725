import { describe, expect, it } from 'vitest';
import { DEFAULT_MERGE_RULES } from '../identity/merge-rules.js';
import type { IngestItem } from './collect-store.js';
import type { Message } from './message.js';
import { identifiersFor, processBatch } from './process-batch.js';

const msg = (m: Partial<Message>): Message => ({ messageId: 'm', type: 'identify', context: {}, timestamp: 0, receivedAt: 0, ...m });
const item = (m: Message): IngestItem => ({ message: m, json: '{}', ...identifiersFor(m, DEFAULT_MERGE_RULES), violations: [], blocked: false });
const run = (items: IngestItem[]) => {
  let n = 0;
  return processBatch({ existing: new Set(), blocked: new Set(), identities: [], profiles: new Map() }, items, { rules: DEFAULT_MERGE_RULES, features: [], newId: () => `p${n++}`, now: 0 });
};

describe('identifiers a batch set aside', () => {
  it('are handed on only when a message set some aside', () => {
    expect(identifiersFor(msg({ userId: 'u-1', traits: { email: 'a@x.io' } }), DEFAULT_MERGE_RULES).ignored).toBeUndefined();
    expect(identifiersFor(msg({ userId: 'u-1', traits: { email: 'undefined' } }), DEFAULT_MERGE_RULES).ignored).toEqual([expect.objectContaining({ kind: 'email', value: 'undefined' })]);
  });

  it('are written once per profile, kind, value and reason, with the count, first time and last message of the batch', () => {
    // A client sending `email: "undefined"` on every call: one row per batch, not a statement per message.
    const items = [1, 2, 3].map((i) => item(msg({ userId: 'u-1', traits: { email: 'undefined' }, context: { traits: { email: 'undefined' } }, messageId: `m${i}`, receivedAt: i === 3 ? 2 : i })));
    items.push(item(msg({ userId: 'u-2', traits: { email: 'undefined' }, messageId: 'other', receivedAt: 1 })));
    const w = run(items);
    const [u1, u2] = w.events.map((e) => e.profileId).filter((p, i, all) => all.indexOf(p) === i);
    expect(w.conflicts).toEqual([
      { profileId: u1, kind: 'email', value: 'undefined', reason: expect.stringContaining('blocked list'), count: 3, firstAt: 1, at: 2, messageId: 'm3' },
      { profileId: u2, kind: 'email', value: 'undefined', reason: expect.stringContaining('blocked list'), at: 1, messageId: 'other' },
    ]);
  });

  it('add nothing for messages whose identifiers were all used', () => {
    expect(run([item(msg({ userId: 'u-1', anonymousId: 'a-1', traits: { email: 'a@x.io' } }))]).conflicts).toEqual([]);
  });
});
