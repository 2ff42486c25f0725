import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, normalizeMessage } from './normalize.js';

const env = { receivedAt: Date.parse('2026-11-23T12:00:10.000Z') };

describe('normalizeMessage', () => {
  it("corrects client clock skew with Segment's formula: timestamp = receivedAt − (sentAt − originalTimestamp)", () => {
    // Source: Segment spec, "Timestamps" (segment.com/docs/connections/spec/common/#timestamps).
    // The device clock is 1 hour fast: it says the event happened at 13:00:00 and was sent at 13:00:05;
    // the server received it at 12:00:10, so the event happened 5 s before that: 12:00:05.
    const n = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2026-11-23T13:00:00.000Z', sentAt: '2026-11-23T13:00:05.000Z' }, 'track', env);
    expect(n.ok && new Date(n.message.timestamp).toISOString()).toBe('2026-11-23T12:00:05.000Z');
    expect(n.ok && n.message.originalTimestamp).toBe('2026-11-23T13:00:00.000Z');
  });

  it('takes sentAt from the batch envelope when the message has none (analytics.js batching)', () => {
    const n = normalizeMessage({ type: 'track', userId: 'u', event: 'E', originalTimestamp: '2026-11-23T13:00:00.000Z' }, undefined, { ...env, sentAt: '2026-11-23T13:00:09.000Z' });
    expect(n.ok && new Date(n.message.timestamp).toISOString()).toBe('2026-11-23T12:00:01.000Z');
  });

  it('keeps a server-side timestamp as given when no sentAt is sent (historical import)', () => {
    const n = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2025-01-01T00:00:00Z' }, 'track', env);
    expect(n.ok && n.message.timestamp).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('refuses numeric times no date can hold, naming the field, rather than failing on them', () => {
    // ECMA-262 §21.4.1.1: a time value is within ±8.64e15 ms of 1970; 1e308 is a finite number but no date.
    const n = normalizeMessage({ userId: 'u', event: 'E', sentAt: 1e308 }, 'track', env);
    expect(!n.ok && n.problems.map((p) => p.field)).toEqual(['sentAt']);
    // The sentence says numbers are taken, within which range, and what was sent (1e400 is Infinity, not null).
    for (const [sent, was] of [[8640000000000001, '8640000000000001'], [Infinity, 'Infinity']] as const) {
      const r = normalizeMessage({ userId: 'u', event: 'E', timestamp: sent }, 'track', env);
      expect(!r.ok && r.problems[0].message).toBe(`The \`timestamp\` property must be a number of milliseconds since 1970 within ±8.64e15 (a Date's range), or an ISO-8601 date string such as "2026-11-23T10:00:00.000Z"; it was ${was}.`);
    }
    // Epoch numbers with a fraction of a millisecond are rounded to whole ones, as every time is kept.
    const fraction = normalizeMessage({ userId: 'u', event: 'E', timestamp: 1764000000000.6 }, 'track', env);
    expect(fraction.ok && fraction.message.timestamp).toBe(1764000000001);
    const edge = normalizeMessage({ userId: 'u', event: 'E', timestamp: -8.64e15 }, 'track', env);
    expect(edge.ok && edge.message.originalTimestamp).toBe('-271821-04-20T00:00:00.000Z');
    // Two valid times so far apart that the skew-corrected time would leave the range.
    const far = normalizeMessage({ userId: 'u', event: 'E', timestamp: -8e15, sentAt: 8e15 }, 'track', env);
    expect(!far.ok && far.problems[0].field).toBe('sentAt');
  });

  it('refuses a NUL character anywhere in a message, naming the field (no store need hold one)', () => {
    const n = normalizeMessage({ userId: 'u', event: 'E', properties: { items: [{ note: 'gift\u0000wrap' }] } }, 'track', env);
    expect(!n.ok && n.problems).toEqual([{ field: 'properties.items[0].note', message: expect.stringContaining('NUL character') }]);
    const id = normalizeMessage({ userId: 'u\u0000', event: 'E' }, 'track', env);
    expect(!id.ok && id.problems[0].field).toBe('userId');
    // Written out as text (a backslash, then u0000), it is just text.
    const text = normalizeMessage({ userId: 'u', event: 'E', properties: { note: '\\u0000' } }, 'track', env);
    expect(text.ok && text.message.properties).toEqual({ note: '\\u0000' });
  });

  it('refuses an identifier holding half a character, and keeps other text with U+FFFD in its place, as stored', () => {
    // An unpaired UTF-16 surrogate is not Unicode (The Unicode Standard, §3.9, D91); SQLite and
    // PostgreSQL both write U+FFFD for it, so '\ud800' and '\udfff' would be one userId once stored.
    const id = normalizeMessage({ userId: 'u\ud800', event: 'E' }, 'track', env);
    expect(!id.ok && id.problems[0].field).toBe('userId');
    const text = normalizeMessage({ userId: 'u', event: 'E', properties: { title: 'cut \ud83d', whole: 'ok 😀' } }, 'track', env);
    expect(text.ok && text.message.properties).toEqual({ title: 'cut \ufffd', whole: 'ok 😀' });
    expect(text.ok && JSON.parse(text.json).properties.title).toBe('cut \ufffd');
  });

  it('names every field that is wrong, in a sentence', () => {
    const n = normalizeMessage({ properties: [1], timestamp: 'yesterday' }, 'track', env);
    expect(n.ok).toBe(false);
    const fields = !n.ok ? n.problems.map((p) => p.field) : [];
    expect(fields).toEqual(expect.arrayContaining(['userId', 'event', 'properties', 'timestamp']));
    for (const p of !n.ok ? n.problems : []) expect(p.message).toMatch(/^The `|^A track call/);
  });

  it('requires what each call needs: groupId for group, previousId and userId for alias, a valid type in a batch', () => {
    const g = normalizeMessage({ userId: 'u' }, 'group', env);
    expect(!g.ok && g.problems[0].field).toBe('groupId');
    const a = normalizeMessage({ anonymousId: 'x' }, 'alias', env);
    expect(!a.ok && a.problems.map((p) => p.field).sort()).toEqual(['previousId', 'userId']);
    const t = normalizeMessage({ type: 'purchase', userId: 'u' }, undefined, env);
    expect(!t.ok && t.problems[0].message).toContain('"purchase"');
  });

  it('accepts numeric ids as strings, and refuses other types', () => {
    const ok = normalizeMessage({ userId: 42, event: 'E' }, 'track', env);
    expect(ok.ok && ok.message.userId).toBe('42');
    const bad = normalizeMessage({ userId: { id: 1 }, event: 'E' }, 'track', env);
    expect(!bad.ok && bad.problems[0]).toMatchObject({ field: 'userId' });
  });

  it('refuses a numeric id no JSON number holds exactly, rather than store another id in its place', () => {
    // ECMA-262 §21.1.2.6: integers beyond 2^53 − 1 (Number.MAX_SAFE_INTEGER) are not all representable;
    // JSON.parse reads 12345678901234567890 and 12345678901234567891 as one number (…67168), written
    // "12345678901234567000": two people's 64-bit ids (snowflakes, Java longs) became one userId.
    const [a, b] = ['12345678901234567890', '12345678901234567891'].map((id) => normalizeMessage(JSON.parse(`{"userId":${id},"event":"E"}`), 'track', env));
    expect(!a.ok && a.problems).toEqual([{ field: 'userId', message: 'The `userId` property must be a string; a number is taken only when whole and at most 9007199254740991 (2^53 − 1), and 12345678901234567000 (as read) is not: send the id as a string, in quotes, so it is kept as sent.' }]);
    expect(!b.ok && b.problems.map((p) => p.field)).toEqual(['userId']);
    for (const key of ['anonymousId', 'groupId', 'previousId'] as const) {
      const n = normalizeMessage({ userId: 'u', [key]: 2 ** 53 }, key === 'groupId' ? 'group' : key === 'previousId' ? 'alias' : 'track', env);
      expect(!n.ok && n.problems.map((p) => p.field), key).toContain(key);
    }
    expect(normalizeMessage({ userId: 12.5, event: 'E' }, 'track', env)).toMatchObject({ ok: false, problems: [{ field: 'userId' }] });
    // The largest exact one, and small ones, are still taken as their digits.
    const max = normalizeMessage({ userId: Number.MAX_SAFE_INTEGER, anonymousId: 0, event: 'E' }, 'track', env);
    expect(max.ok && [max.message.userId, max.message.anonymousId]).toEqual(['9007199254740991', '0']);
  });

  it('refuses a message over 32 KB and says its size', () => {
    const n = normalizeMessage({ userId: 'u', event: 'E', properties: { blob: 'x'.repeat(MAX_MESSAGE_BYTES + 10) } }, 'track', env);
    expect(!n.ok && n.tooLarge).toBeGreaterThan(MAX_MESSAGE_BYTES);
  });

  it('measures the 32 KB limit on the message as sent (its JSON), not on the normalised message', () => {
    // Segment's own libraries measure Buffer.byteLength(JSON.stringify(message), 'utf8') against 32 KB
    // (loosely-validate-event, used by analytics-node). A message of `bytes` bytes as sent, with its bulk in `field`:
    const sized = (bytes: number, field: 'properties' | 'pad') => {
      const base = { userId: 'u', event: 'E', ...(field === 'pad' ? { pad: '' } : { properties: { x: '' } }) };
      const fill = 'y'.repeat(bytes - Buffer.byteLength(JSON.stringify(base)));
      const m = field === 'pad' ? { ...base, pad: fill } : { ...base, properties: { x: fill } };
      expect(Buffer.byteLength(JSON.stringify(m))).toBe(bytes);
      return m;
    };
    // Exactly 32 KB (32 × 1024 = 32,768 bytes) as sent: normalisation adds messageId, context,
    // timestamp and receivedAt, and the stored JSON is larger — still accepted.
    const atLimit = normalizeMessage(sized(MAX_MESSAGE_BYTES, 'properties'), 'track', env);
    expect(atLimit.ok).toBe(true);
    expect(atLimit.ok && Buffer.byteLength(atLimit.json)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    // One byte more as sent, the bulk in a field normalisation drops: refused, with the size as sent.
    const over = normalizeMessage(sized(MAX_MESSAGE_BYTES + 1, 'pad'), 'track', env);
    expect(over).toMatchObject({ ok: false, tooLarge: MAX_MESSAGE_BYTES + 1, problems: [{ field: '(message)', message: `A single message may be at most 32 KB; this one is ${MAX_MESSAGE_BYTES + 1} bytes.` }] });
    // Multi-byte characters count in UTF-8 bytes: 'é' is 2 bytes, so 16,385 of them are 32,770 bytes.
    const wide = normalizeMessage({ userId: 'u', event: 'E', properties: { x: 'é'.repeat(16_385) } }, 'track', env);
    expect(!wide.ok && wide.tooLarge).toBe(Buffer.byteLength(JSON.stringify({ userId: 'u', event: 'E', properties: { x: 'é'.repeat(16_385) } })));
  });

  it('gives a retry of a timestamped message without messageId the same id, and untimestamped ones fresh ids', () => {
    const m = { userId: 'u', event: 'E', timestamp: '2026-11-23T11:00:00Z', properties: { a: 1 } };
    const a = normalizeMessage(m, 'track', env);
    const b = normalizeMessage(m, 'track', { receivedAt: env.receivedAt + 5000 });
    expect(a.ok && b.ok && a.message.messageId === b.message.messageId).toBe(true);
    const c = normalizeMessage({ userId: 'u', event: 'E' }, 'track', env);
    const d = normalizeMessage({ userId: 'u', event: 'E' }, 'track', env);
    expect(c.ok && d.ok && c.message.messageId !== d.message.messageId).toBe(true);
  });

  it('gives messages without messageId that differ only in their context different ids: a consent withdrawal is no retry', () => {
    // Found by QA: the content id left `context` out, so the second of these was answered
    // {"success":true} and dropped as a retry of the first — the withdrawal of consent lost.
    const base = { userId: 'u', event: 'E', timestamp: '2026-11-23T11:00:00Z' };
    const id = (context: unknown, e = env) => {
      const n = normalizeMessage({ ...base, context }, 'track', e);
      return n.ok ? n.message.messageId : n.problems;
    };
    const granted = id({ consent: { categoryPreferences: { Advertising: true } } });
    expect(id({ consent: { categoryPreferences: { Advertising: false } } })).not.toBe(granted);
    expect(id({ traits: { email: 'a@example.com' } })).not.toBe(id({ traits: { email: 'b@example.com' } }));
    // The same context (a retry: Segment's libraries rewrite only the top-level sentAt) keeps the id,
    // whenever it arrives; and so does a context the batch gives rather than the message.
    expect(id({ consent: { categoryPreferences: { Advertising: true } } }, { receivedAt: env.receivedAt + 5000 })).toBe(granted);
    const fromBatch = normalizeMessage(base, 'track', { ...env, context: { consent: { categoryPreferences: { Advertising: true } } } });
    expect(fromBatch.ok && fromBatch.message.messageId).toBe(granted);
    // A message with no context keeps the id it had before the context was hashed (ids stored already stay).
    const bare = normalizeMessage(base, 'track', env);
    expect(bare.ok && bare.message.messageId).toBe('tact-ytmL7ex5Bo3PMxIMc7ndaerUxIg');
    expect(id({})).toBe(bare.ok && bare.message.messageId);
  });

  it('gives a page or screen that differs only in its category an id of its own (it was acknowledged and dropped as a duplicate), and one without a category the id it had', () => {
    for (const type of ['page', 'screen'] as const) {
      const id = (extra: object) => {
        const n = normalizeMessage({ userId: 'pg1', name: 'Home', timestamp: '2026-11-23T11:00:00Z', ...extra }, type, env);
        return n.ok ? n.message.messageId : n.problems;
      };
      expect(id({ category: 'Docs' }), type).not.toBe(id({ category: 'Blog' }));
      expect(id({ category: 'Docs' }), type).not.toBe(id({}));
      expect(id({ category: 'Docs' }), type).toBe(id({ category: 'Docs' }));
      // Nor does a context that happens to say the same.
      expect(id({ category: 'Docs' }), type).not.toBe(id({ context: { category: 'Docs' } }));
    }
    const bare = normalizeMessage({ userId: 'pg1', name: 'Home', timestamp: '2026-11-23T11:00:00Z' }, 'page', env);
    expect(bare.ok && bare.message.messageId).toBe('tact-Nt6npCmK3jQviHStZncTSGR-o7R');
  });

  it('refuses a messageId of white space alone, as an empty one, rather than one id shared by everyone who sends it', () => {
    for (const messageId of ['   ', '\t', ' \n ']) {
      const n = normalizeMessage({ userId: 'u', event: 'E', messageId }, 'track', env);
      expect(!n.ok && n.problems, JSON.stringify(messageId)).toEqual([{ field: 'messageId', message: 'The `messageId` property must be a non-empty string of at most 200 characters, not white space alone.' }]);
    }
    // Text around white space is an id like any other.
    const spaced = normalizeMessage({ userId: 'u', event: 'E', messageId: ' m 1 ' }, 'track', env);
    expect(spaced.ok && spaced.message.messageId).toBe(' m 1 ');
  });

  it('refuses a number JSON reads as Infinity (1e400), naming the field, rather than store it as null', () => {
    // JSON.parse reads a number beyond ±1.8e308 as ±Infinity (ECMA-262 §25.5.1, via StringToNumber);
    // JSON.stringify writes it as null, so it was stored as null though docs/errors.md refuses it.
    const revenue = normalizeMessage(JSON.parse('{"userId":"u","event":"E","properties":{"revenue":1e400}}'), 'track', env);
    expect(!revenue.ok && revenue.problems).toEqual([{ field: 'properties.revenue', message: 'The `properties.revenue` must be a finite number; 1e400 and other numbers beyond ±1.8e308 are read as Infinity, which no store keeps.' }]);
    const age = normalizeMessage(JSON.parse('{"userId":"u","traits":{"kids":[1,-1e400]}}'), 'identify', env);
    expect(!age.ok && age.problems.map((p) => p.field)).toEqual(['traits.kids[1]']);
    const context = normalizeMessage(JSON.parse('{"type":"page","userId":"u","context":{"screen":{"width":2e308}}}'), undefined, env);
    expect(!context.ok && context.problems.map((p) => p.field)).toEqual(['context.screen.width']);
    // null stays null, and the largest finite numbers are kept.
    const kept = normalizeMessage({ userId: 'u', event: 'E', properties: { coupon: null, big: 1.7e308, small: -Number.MAX_VALUE } }, 'track', env);
    expect(kept.ok && kept.message.properties).toEqual({ coupon: null, big: 1.7e308, small: -Number.MAX_VALUE });
  });

  it('says in its sentences what each call needs, with the right article', () => {
    const alias = normalizeMessage({ previousId: 'old' }, 'alias', env);
    expect(!alias.ok && alias.problems).toEqual([{ field: 'userId', message: 'The `userId` property is required for an alias call: it is the identity `previousId` becomes.' }]);
    const identify = normalizeMessage({ traits: {} }, 'identify', env);
    expect(!identify.ok && identify.problems[0].message).toBe('An identify call needs a `userId` or an `anonymousId`; neither was present on the data you sent.');
    // Sent empty: said so, not as if left out.
    const empty = normalizeMessage({ userId: '', anonymousId: '', traits: {} }, 'identify', env);
    expect(!empty.ok && empty.problems[0].message).toBe('An identify call needs a `userId` or an `anonymousId`; neither was present on the data you sent (`userId` and `anonymousId` were empty, which is no id).');
    const group = normalizeMessage({ userId: 'u', groupId: '' }, 'group', env);
    expect(!group.ok && group.problems).toEqual([{ field: 'groupId', message: 'The `groupId` property is required for a group call. It was empty, which names no account.' }]);
    const emptyPrevious = normalizeMessage({ userId: 'u', previousId: '' }, 'alias', env);
    expect(!emptyPrevious.ok && emptyPrevious.problems).toEqual([{ field: 'previousId', message: 'The `previousId` property is required for an alias call. It was empty, which is no id.' }]);
    const userId = normalizeMessage({ userId: { id: 1 }, event: 'E' }, 'track', env);
    expect(!userId.ok && userId.problems[0].message).toBe('The `userId` property must be a string (or a number); it was an object.');
  });

  it('treats a null messageId as an absent one, as it does every other null field', () => {
    // analytics-node and analytics.js always send a messageId; a hand-written client that serialises
    // its optional fields as null (Jackson, Python's None, Go's nil pointers) sends "messageId": null.
    const m = { userId: 'u', event: 'E', timestamp: '2026-11-23T11:00:00Z', messageId: null };
    const a = normalizeMessage(m, 'track', env);
    const b = normalizeMessage({ ...m, messageId: undefined }, 'track', env);
    expect(a.ok && b.ok && a.message.messageId).toBe(b.ok && b.message.messageId);
    expect(a.ok && a.message.messageId).toMatch(/^tact-/);
    const untimed = normalizeMessage({ userId: 'u', event: 'E', messageId: null }, 'track', env);
    expect(untimed.ok && untimed.message.messageId).toMatch(/^[0-9a-f-]{36}$/);
    // Other values are still refused, naming the field.
    for (const messageId of ['', 7, 'x'.repeat(201)]) {
      const n = normalizeMessage({ userId: 'u', event: 'E', messageId }, 'track', env);
      expect(!n.ok && n.problems.map((p) => p.field), String(messageId)).toEqual(['messageId']);
    }
  });

  it('refuses a message dated more than a day after it arrived, naming the field, before it skews profiles', () => {
    // Segment's formula (segment.com/docs/connections/spec/common/#timestamps) corrects a skewed clock
    // when the client sends sentAt; what remains in the future after it is a wrong time, not an
    // event. The bound leaves a day for a client that writes its local time as UTC (offsets reach
    // UTC+14, ISO 8601 / the IANA time zone database); PostHog's ingestion draws its line at 23 hours.
    const far = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2999-01-01T00:00:00Z' }, 'track', env);
    expect(!far.ok && far.problems).toEqual([{ field: 'timestamp', message: expect.stringContaining('2999-01-01T00:00:00Z') }]);
    const original = normalizeMessage({ type: 'track', userId: 'u', event: 'E', originalTimestamp: '2999-01-01T00:00:00Z' }, undefined, env);
    expect(!original.ok && original.problems.map((p) => p.field)).toEqual(['originalTimestamp']);
    // With sentAt, what counts is the corrected time: a clock two hours fast is corrected, and kept …
    const fast = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2026-11-23T14:00:00Z', sentAt: '2026-11-23T14:00:05Z' }, 'track', env);
    expect(fast.ok && new Date(fast.message.timestamp).toISOString()).toBe('2026-11-23T12:00:05.000Z');
    // … but an event said to happen years after it was sent stays in the future once corrected.
    const after = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2999-01-01T00:00:00Z', sentAt: '2026-11-23T12:00:00Z' }, 'track', env);
    expect(!after.ok && after.problems.map((p) => p.field)).toEqual(['timestamp']);
    expect(!after.ok && after.problems[0].message).toContain('`sentAt`');
    // A day ahead is the limit: 24 hours is kept, a millisecond more is refused.
    const day = 24 * 3600_000;
    expect(normalizeMessage({ userId: 'u', event: 'E', timestamp: env.receivedAt + day }, 'track', env).ok).toBe(true);
    expect(normalizeMessage({ userId: 'u', event: 'E', timestamp: env.receivedAt + day + 1 }, 'track', env).ok).toBe(false);
    // The past is not bounded: historical imports keep their times.
    expect(normalizeMessage({ userId: 'u', event: 'E', timestamp: '1999-01-01T00:00:00Z' }, 'track', env).ok).toBe(true);
  });

  it('says how far ahead a refused time is without contradicting the limit it names', () => {
    // QA: 24 h 55 min ahead was said to be "24 hours after the message arrived; more than 24 hours ahead is a wrong clock".
    const ahead = (ms: number) => {
      const n = normalizeMessage({ userId: 'u', event: 'E', timestamp: env.receivedAt + ms }, 'track', env);
      return n.ok ? undefined : / is (.+) after the message arrived; more than 24 hours ahead is a wrong clock/.exec(n.problems[0].message)?.[1];
    };
    const h = 3600_000;
    expect(ahead(24 * h + 55 * 60_000)).toBe('24 hours 55 minutes');
    expect(ahead(24 * h + 60_000 + 59_000)).toBe('24 hours 1 minute');
    expect(ahead(24 * h + 1)).toBe('just over 24 hours');
    expect(ahead(24 * h + 59_999)).toBe('just over 24 hours');
    expect(ahead(30 * h + 10)).toBe('30 hours');
    expect(ahead(47 * h + 59 * 60_000)).toBe('47 hours 59 minutes');
    expect(ahead(3 * 24 * h + 5 * h)).toBe('3 days');
  });

  it('merges the batch context under the message context', () => {
    const n = normalizeMessage({ type: 'page', anonymousId: 'a', context: { page: { path: '/x' } } }, undefined, { ...env, context: { library: { name: 'l' }, page: { path: '/batch' } } });
    expect(n.ok && n.message.context).toEqual({ library: { name: 'l' }, page: { path: '/x' } });
  });

  it("merges the batch's integrations under the message's own, as Segment's batch call does", () => {
    // Segment, HTTP Tracking API, "Batch": the batch's `integrations` "will be merged with any
    // destinations inside each of the items in the batch" (its `context` likewise).
    const n = normalizeMessage({ type: 'track', userId: 'u', event: 'E', integrations: { Amplitude: true, Mixpanel: false } }, undefined, { ...env, integrations: { All: false, Mixpanel: true } });
    expect(n.ok && n.message.integrations).toEqual({ All: false, Mixpanel: false, Amplitude: true });
    const only = normalizeMessage({ type: 'track', userId: 'u', event: 'E' }, undefined, { ...env, integrations: { All: false } });
    expect(only.ok && only.message.integrations).toEqual({ All: false });
  });

  it('keeps the `category` of a page or screen call (Segment\'s page spec; analytics-node sends a screen\'s category there alone)', () => {
    // @segment/analytics-core's event factory: page(category, name) sets `category` at the top and
    // in `properties`; screen(category, name) sets it at the top only.
    for (const type of ['page', 'screen'] as const) {
      const n = normalizeMessage({ userId: 'u', category: 'Docs', name: 'Setup', properties: {} }, type, env);
      expect(n.ok && n.message.category).toBe('Docs');
      expect(n.ok && JSON.parse(n.json).category).toBe('Docs');
      const bad = normalizeMessage({ userId: 'u', category: ['Docs'] }, type, env);
      expect(!bad.ok && bad.problems).toEqual([{ field: 'category', message: `The \`category\` property of a ${type} call must be a string.` }]);
    }
    // Only page and screen calls have one: a track call's `category` is not Segment's and is not kept.
    const t = normalizeMessage({ userId: 'u', event: 'E', category: 'Docs' }, 'track', env);
    expect(t.ok && 'category' in t.message).toBe(false);
  });

  it('takes times written as ISO-8601 only, rather than guessing a date from other text', () => {
    // Date.parse reads "foo 2026" as 1 January 2026 and "3" as 1 March 2001: neither is a time.
    for (const timestamp of ['3', 'foo 2026', 'Nov 23 2026', '11/23/2026']) {
      const n = normalizeMessage({ userId: 'u', event: 'E', timestamp }, 'track', env);
      expect(!n.ok && n.problems.map((p) => p.field), timestamp).toEqual(['timestamp']);
    }
    const bad = normalizeMessage({ type: 'track', userId: 'u', event: 'E' }, undefined, { ...env, sentAt: '7' });
    expect(!bad.ok && bad.problems.map((p) => p.field)).toEqual(['sentAt']);
    // What Segment's libraries send: JavaScript's toISOString, Python's isoformat, Go's RFC 3339 with nanoseconds.
    for (const [timestamp, iso] of [
      ['2026-11-23T10:00:00.123Z', '2026-11-23T10:00:00.123Z'],
      ['2026-11-23T10:00:00.123456+00:00', '2026-11-23T10:00:00.123Z'],
      ['2026-11-23T11:00:00.123456789+01:00', '2026-11-23T10:00:00.123Z'],
      ['2026-11-23T10:00:00Z', '2026-11-23T10:00:00.000Z'],
      ['2026-11-23 10:00:00Z', '2026-11-23T10:00:00.000Z'],
      ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    ]) {
      const n = normalizeMessage({ userId: 'u', event: 'E', timestamp }, 'track', env);
      expect(n.ok && new Date(n.message.timestamp).toISOString(), timestamp).toBe(iso);
    }
  });

  it('takes every ISO-8601 form its check admits (an hour-only offset, a decimal comma), and refuses days no calendar has', () => {
    // ISO 8601-1:2019 §5.3.4.2 (offset ±hh) and §3.2.6 (decimal sign: comma or full stop).
    for (const [timestamp, iso] of [
      ['2026-11-23T11:00:00+01', '2026-11-23T10:00:00.000Z'],
      ['2026-11-23T10:00:00,5Z', '2026-11-23T10:00:00.500Z'],
    ]) {
      const n = normalizeMessage({ userId: 'u', event: 'E', timestamp }, 'track', env);
      expect(n.ok && new Date(n.message.timestamp).toISOString(), timestamp).toBe(iso);
    }
    // Date.parse rolls 30 February over to 2 March, and 31 April to 1 May.
    for (const timestamp of ['2026-02-30T10:00:00Z', '2026-04-31', '2027-02-29T00:00:00Z', '2026-11-23T10:61:00Z']) {
      const n = normalizeMessage({ userId: 'u', event: 'E', timestamp }, 'track', env);
      expect(!n.ok && n.problems.map((p) => p.field), timestamp).toEqual(['timestamp']);
    }
    const leap = normalizeMessage({ userId: 'u', event: 'E', timestamp: '2028-02-29T00:00:00Z' }, 'track', { receivedAt: Date.parse('2028-03-01T00:00:00Z') });
    expect(leap.ok).toBe(true);
  });

  it('reads a date-time without an offset as UTC, whatever the server\'s time zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      for (const timestamp of ['2026-11-23T10:00:00', '2026-11-23 10:00:00.000', '2026-11-23T10:00']) {
        const n = normalizeMessage({ userId: 'u', event: 'E', timestamp }, 'track', env);
        expect(n.ok && new Date(n.message.timestamp).toISOString(), timestamp).toBe('2026-11-23T10:00:00.000Z');
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});

// The 32 KB limit is on Buffer.byteLength(JSON.stringify(message as sent)) (Segment's
// loosely-validate-event). Each case below pads a message to exactly 32,768 and 32,769 bytes of
// that measure — the bulk once in a field normalisation keeps as it is (properties), once in one
// it drops or rewrites — and expects the first accepted and the second refused with 32,769.
describe('the 32 KB limit as sent, where normalisation rewrites the message', () => {
  const sentBytes = (m: unknown) => Buffer.byteLength(JSON.stringify(m));
  const padTo = (bytes: number, base: Record<string, unknown>, where: 'properties' | 'pad' | 'event' | 'key') => {
    const put = (fill: string): Record<string, unknown> =>
      where === 'properties' ? { ...base, properties: { ...(base.properties as object), x: fill } }
      : where === 'pad' ? { ...base, pad: fill }
      : where === 'event' ? { ...base, event: `  ${fill}E\t` }
      : { ...base, [`k${fill}`]: 1 };
    const m = put('y'.repeat(bytes - sentBytes(put(''))));
    expect(sentBytes(m)).toBe(bytes);
    return m;
  };
  const cases: [string, Record<string, unknown>, Partial<typeof env & { context: unknown; integrations: unknown; sentAt: unknown }>?][] = [
    ['a plain track call', { userId: 'u', event: 'E' }],
    ['an event name with whitespace trimmed', { userId: 'u', event: '  E  ' }],
    ['a timestamp with nine digits of a second, and sentAt', { userId: 'u', event: 'E', timestamp: '2026-11-23T10:00:00.123456789Z', sentAt: '2026-11-23T10:00:01.5Z' }],
    ['times as numbers in exponent form and numeric ids', { userId: Number.MAX_SAFE_INTEGER, anonymousId: 12, event: 'E', timestamp: 1.7e12, sentAt: 17e11, properties: { small: 1e-7, big: 1.5e300 } }],
    ['unknown fields dropped, null context and integrations', { userId: 'u', event: 'E', writeKey: 'k'.repeat(40), extra: { a: [1, 2, { b: null }] }, nothing: null, context: null, integrations: null, traits: null }],
    ['an empty userId and a type other than the route', { userId: '', anonymousId: 'a', event: 'E', type: 'identify' }],
    ['a messageId, context and integrations of its own', { messageId: 'm-1', userId: 'u', event: 'E', context: { ip: '1.2.3.4' }, integrations: { All: false } }],
    ["the batch's context, sentAt and integrations", { userId: 'u', event: 'E' }, { context: { library: { name: 'x'.repeat(500) } }, integrations: { All: true }, sentAt: '2026-11-23T12:00:09Z' }],
    ['a lone surrogate and multi-byte text', { userId: 'u', event: 'E', properties: { s: 'a\ud800b', t: 'é😀' } }],
    ['escapes and multi-byte text in fields rewritten or dropped', { userId: 7, event: ' "é" ', 'k"é\\y': 'a"b\\c\n\u0001é\ud800', timestamp: 1.5 }],
  ];
  for (const [name, base, extra] of cases) {
    for (const where of ['properties', 'pad', 'event', 'key'] as const) {
      it(`${name}, the bulk in ${where}`, () => {
        const e = { ...env, ...extra };
        const at = normalizeMessage(padTo(MAX_MESSAGE_BYTES, base, where), 'track', e);
        expect(at.ok, JSON.stringify(!at.ok && at.problems)).toBe(true);
        // The size as sent comes with the message (tact import sizes its batches by it).
        expect(at.ok && at.sent).toBe(MAX_MESSAGE_BYTES);
        const over = normalizeMessage(padTo(MAX_MESSAGE_BYTES + 1, base, where), 'track', e);
        expect(over).toMatchObject({ ok: false, tooLarge: MAX_MESSAGE_BYTES + 1 });
      });
    }
  }

  it('holds for any extra members, valid message or not (property)', () => {
    const extra = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(extra, fc.constantFrom('properties', 'pad') as fc.Arbitrary<'properties' | 'pad'>, (more, where) => {
        const base = { userId: 'u', event: 'E', ...more };
        if (sentBytes(base) > MAX_MESSAGE_BYTES - 100) return;
        const at = normalizeMessage(padTo(MAX_MESSAGE_BYTES, base, where), 'track', env);
        expect(!at.ok && at.tooLarge).toBeFalsy();
        if (at.ok) expect(at.sent).toBe(MAX_MESSAGE_BYTES);
        expect(normalizeMessage(padTo(MAX_MESSAGE_BYTES + 1, base, where), 'track', env)).toMatchObject({ ok: false, tooLarge: MAX_MESSAGE_BYTES + 1 });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a message too large as sent for its size first, even when a field is also wrong', () => {
    const m = padTo(MAX_MESSAGE_BYTES + 1, { userId: 'u' }, 'pad');
    expect(normalizeMessage(m, 'track', env)).toMatchObject({ ok: false, tooLarge: MAX_MESSAGE_BYTES + 1, problems: [{ field: '(message)' }] });
    expect(normalizeMessage({ ...m, type: 'nope' }, undefined, env)).toMatchObject({ ok: false, tooLarge: MAX_MESSAGE_BYTES + 1 + Buffer.byteLength(',"type":"nope"') });
    // Within the limit, the field's own problem.
    expect(normalizeMessage({ userId: 'u' }, 'track', env)).toMatchObject({ ok: false, problems: [{ field: 'event' }] });
  });
});
