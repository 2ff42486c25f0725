import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { consentHistoryFrom, type ConsentEvent } from './consent-history.js';
import { applyMessage, consentByPurpose, mergeProfileStates, newProfileState, type ConsentProblem } from './profile-state.js';
import { ruleVars } from './profile-view.js';

const msg = (id: string, t: number, prefs: Record<string, unknown>): Message => ({
  messageId: id, type: 'track', event: 'Page Viewed', properties: {}, context: { consent: { categoryPreferences: prefs } }, timestamp: t, receivedAt: t,
});
const ev = (seq: number, m: Message): ConsentEvent => ({ seq, timestamp: m.timestamp, messageId: m.messageId, message: m });
const granted = (s: ReturnType<typeof newProfileState>) => Object.fromEntries(Object.entries(s.consent).map(([k, c]) => [k, c.granted]));

describe('a consent value that is not a boolean', () => {
  it.each([['false'], ['no'], ['0'], ['true'], [0], [1], [null], [{}]])('(%j) withdraws a granted purpose, and is told as a problem', (value) => {
    const s = newProfileState('p', 0);
    applyMessage(s, msg('a', 1, { Advertising: true }), []);
    const problems: ConsentProblem[] = [];
    const change = applyMessage(s, msg('b', 2, { Advertising: value, Analytics: true }), [], problems);
    expect(granted(s)).toEqual({ Advertising: false, Analytics: true });
    expect(change?.changes).toEqual({ Advertising: false, Analytics: true });
    expect(problems).toEqual([{ purpose: 'Advertising', reason: expect.stringContaining(`was ${JSON.stringify(value)}`) }]);
    expect(problems[0].reason).toMatch(/not a boolean: it reads as not granted/);
  });

  it('grants nothing on a first statement, and a boolean states no problem', () => {
    const s = newProfileState('p', 0);
    const problems: ConsentProblem[] = [];
    applyMessage(s, msg('a', 1, { Advertising: 'true', Email: false, Sms: true }), [], problems);
    expect(granted(s)).toEqual({ Advertising: false, Email: false, Sms: true });
    expect(problems.map((p) => p.purpose)).toEqual(['Advertising']);
  });
});

describe('a consent object that states nothing', () => {
  const withConsent = (id: string, consent: unknown): Message => ({ messageId: id, type: 'track', event: 'Page Viewed', properties: {}, context: { consent }, timestamp: 2, receivedAt: 2 });
  it.each([
    [{ categoryPreferences: ['Advertising'] }, 'categoryPreferences', 'The `context.consent.categoryPreferences` was ["Advertising"] (an array), not an object of purposes'],
    [{ categoryPreferences: 'Advertising' }, 'categoryPreferences', 'was "Advertising" (a string), not an object of purposes'],
    [{ categoryPreferences: true }, 'categoryPreferences', 'was true (a boolean)'],
    ['granted', 'consent', 'The `context.consent` was "granted" (a string), not an object holding `categoryPreferences`'],
    [['Advertising'], 'consent', 'was ["Advertising"] (an array)'],
  ])('(%j) changes no purpose and is told as a problem: a client sending it is found', (consent, purpose, reason) => {
    const s = newProfileState('p', 0);
    applyMessage(s, msg('a', 1, { Advertising: true }), []);
    const problems: ConsentProblem[] = [];
    expect(applyMessage(s, withConsent('b', consent), [], problems)).toBeUndefined();
    expect(granted(s)).toEqual({ Advertising: true });
    expect(problems).toEqual([{ purpose, reason: expect.stringContaining(reason) }]);
    expect(problems[0].reason).toMatch(/no consent was read from the message\.$/);
  });

  it('is no problem when it says nothing at all: null, or an object without categoryPreferences', () => {
    for (const consent of [null, {}, { categoryPreferences: null }, { other: 1 }]) {
      const problems: ConsentProblem[] = [];
      applyMessage(newProfileState('p', 0), withConsent('a', consent), [], problems);
      expect(problems, JSON.stringify(consent)).toEqual([]);
    }
  });
});

describe('purpose names', () => {
  it('are trimmed and matched without regard to case: the newest statement of any spelling is the purpose\'s, under the name first kept', () => {
    const s = newProfileState('p', 0);
    applyMessage(s, msg('a', 1, { Advertising: true }), []);
    const change = applyMessage(s, msg('b', 2, { advertising: false }), []);
    expect(granted(s)).toEqual({ Advertising: false });
    expect(change?.changes).toEqual({ Advertising: false });
    applyMessage(s, msg('c', 3, { ' ADVERTISING ': true }), []);
    expect(s.consent).toEqual({ Advertising: { granted: true, at: 3, messageId: 'c' } });
    applyMessage(s, msg('d', 4, { ' Analytics ': true, 'Stra\u0301sse': true, 'STRÁSSE': false }), []);
    expect(granted(s)).toEqual({ Advertising: true, Analytics: true, 'Strásse': false });
  });

  it('that are blank are ignored and told as a problem', () => {
    const s = newProfileState('p', 0);
    const problems: ConsentProblem[] = [];
    expect(applyMessage(s, msg('a', 1, { '': true, '  ': false }), [], problems)).toBeUndefined();
    expect(s.consent).toEqual({});
    expect(problems.map((p) => p.purpose)).toEqual(['', '  ']);
    expect(problems[0].reason).toMatch(/blank name/);
  });

  it('of a state kept before they were matched so read as one purpose, the newest statement winning', () => {
    const old = {
      ' Advertising ': { granted: true, at: 5, messageId: 'a' },
      advertising: { granted: false, at: 7, messageId: 'b' },
      ADVERTISING: { granted: true, at: 6, messageId: 'c' },
      '': { granted: true, at: 9, messageId: 'd' },
      Email: { granted: true, at: 3, messageId: 'e' },
      email: { granted: false, at: 3, messageId: 'f' },
    };
    expect(consentByPurpose(old)).toEqual({ Advertising: { granted: false, at: 7, messageId: 'b' }, Email: { granted: false, at: 3, messageId: 'f' } });
    const s = { ...newProfileState('p', 0), consent: structuredClone(old) };
    expect(ruleVars(s, [], 10).consent).toEqual({ Advertising: false, Email: false });
    applyMessage(s, msg('g', 8, { advertising: true }), []);
    expect(granted(s)).toEqual({ Advertising: true, Email: false });
  });

  it('merge across profiles whatever their case, the newer statement under the surviving profile\'s name', () => {
    const into = newProfileState('a', 0);
    applyMessage(into, msg('a', 1, { Advertising: true }), []);
    const from = newProfileState('b', 0);
    applyMessage(from, msg('b', 2, { advertising: false }), []);
    mergeProfileStates(into, from, []);
    expect(into.consent).toEqual({ Advertising: { granted: false, at: 2, messageId: 'b' } });
  });
});

describe('the rebuilt consent history', () => {
  it('folds spellings into one purpose and reads a value not `true` as not granted', () => {
    const before = [{ at: 1, messageId: 'a', changes: { Advertising: true } }];
    const events = [ev(2, msg('b', 2, { advertising: true })), ev(3, msg('c', 3, { ' ADVERTISING ': 'false', '': true })), ev(4, msg('d', 4, { Advertising: null }))];
    expect(consentHistoryFrom(2, before, events, 50)).toEqual([{ at: 3, messageId: 'c', changes: { Advertising: false } }, ...before]);
  });
});
