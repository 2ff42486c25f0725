import { describe, expect, it } from 'vitest';
import type { Message } from '../collect/message.js';
import { factValues } from '../decide/facts.js';
import { compileRule, testRule } from '../rules/cel.js';
import { applyMessage, newProfileState } from './profile-state.js';
import { ruleVars } from './profile-view.js';

const withConsent = (prefs: Record<string, unknown>) => {
  const s = newProfileState('p', 0);
  const m: Message = { messageId: 'm1', type: 'track', event: 'Page Viewed', properties: {}, context: { consent: { categoryPreferences: prefs } }, timestamp: 1, receivedAt: 1 };
  applyMessage(s, m, []);
  return s;
};

describe('a rule reading a consent purpose', () => {
  // The client sent `Advertising` (kept so); the consent stage matches it under any spelling (purposeKey).
  const vars = () => ruleVars(withConsent({ Advertising: true, 'Cafe\u0301 News': false }), [], 10);

  it('reads it whatever the case, surrounding spaces or Unicode form the rule writes it in', () => {
    for (const rule of ['consent.Advertising', 'consent.advertising', 'consent["ADVERTISING"]', 'consent[" advertising "]', 'has(consent.advertising)', '"advertising" in consent', 'consent["cafe\u0301 news"] == false']) {
      expect(testRule(compileRule(rule, 'when'), vars()), rule).toEqual({ pass: true });
    }
  });

  it('still finds no value for a purpose the profile has not stated, and lists each purpose once, as kept (trimmed, NFC)', () => {
    expect(testRule(compileRule('!has(consent.email)', 'when'), vars())).toEqual({ pass: true });
    expect(testRule(compileRule('size(consent) == 2 && consent.all(k, k == "Advertising" || k == "Caf\u00e9 News")', 'when'), vars())).toEqual({ pass: true });
    expect({ ...(vars().consent as object) }).toEqual({ Advertising: true, 'Caf\u00e9 News': false });
  });

  it('is kept with a decision under the spelling the rule read it by', () => {
    expect(factValues(['consent.advertising', 'consent.email'], vars())).toEqual({ values: { 'consent.advertising': true }, absent: ['consent.email'] });
  });

  it('never reads a purpose as `constructor` (the evaluator tells an object\'s type by it)', () => {
    const v = ruleVars(withConsent({ Constructor: true, Advertising: true }), [], 10);
    expect(testRule(compileRule('consent.advertising && consent.Constructor && !has(consent.constructor)', 'when'), v)).toEqual({ pass: true });
  });
});
