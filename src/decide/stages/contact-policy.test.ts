import { describe, expect, it } from 'vitest';
import { compileCatalog } from '../catalog-compile.js';
import { ContactLedger } from '../contact-ledger.js';
import type { DecisionRecord } from '../decision.js';
import { budgetGuards } from '../decider.js';
import { playbookFor } from '../playbook.js';
import { compilePolicy } from '../policy-compile.js';
import { contactPolicy } from './contact-policy.js';
import { outcome, stageContext } from './fixture-context.js';
import { localMinutes } from './local-time.js';

const DAY = 86_400_000;
const catalog = {
  actions: [
    { id: 'promo', name: 'Promo', channels: ['email', 'web'], topics: ['marketing'] },
    { id: 'digest', name: 'Digest', channels: ['email'], topics: ['content'] },
    { id: 'tips', name: 'Tips', channels: ['email'], topics: ['content'], budgetWeight: 2 },
  ],
  placements: [{ id: 'mail', channel: 'email' }, { id: 'site', channel: 'web' }],
};
const contact = (ledger: ContactLedger, at: number, action: string, channel = 'email', topics: string[] = []) =>
  ledger.record('p1', { at, action, channel, topics, decisionId: `d-${at}-${action}` });

describe('contact policy', () => {
  it('keeps quiet hours in the subject\'s own time zone', () => {
    const policy = { contact: { quietHours: { from: '21:00', to: '08:00', channels: ['email'] } } };
    // 20:30 UTC is 21:30 in London (BST) but 05:30 the next morning in Tokyo and 13:30 in Los Angeles.
    const at = Date.parse('2026-06-01T20:30:00Z');
    for (const [tz, quiet] of [['Europe/London', true], ['Asia/Tokyo', true], ['America/Los_Angeles', false], [null, false]] as const) {
      const { ctx, candidates } = stageContext({ catalog, policy, placement: 'mail', now: at, timezone: tz });
      contactPolicy(candidates, ctx);
      expect(outcome(candidates).in.length === 0, `${tz}`).toBe(quiet);
      if (quiet) expect(candidates[0].out!.reason).toContain(`in ${tz}, inside the quiet hours 21:00–08:00`);
    }
    // the web placement is not a quiet-hours channel
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'site', now: at, timezone: 'Europe/London' });
    contactPolicy(candidates, ctx);
    expect(outcome(candidates).in).toEqual(['promo']);
    expect(localMinutes(at, 'Asia/Tokyo')).toBe(5 * 60 + 30);
  });

  it('caps contacts per channel across all actions over a rolling window', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    contact(ledger, now - 8 * DAY, 'promo'); // outside the 7-day window
    contact(ledger, now - 3 * DAY, 'digest');
    contact(ledger, now - 1 * DAY, 'promo', 'web'); // another channel
    const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } };
    let s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo', 'digest', 'tips']);
    contact(ledger, now - 2 * DAY, 'tips');
    s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).out).toEqual({ promo: 'contact policy/email cap', digest: 'contact policy/email cap', tips: 'contact policy/email cap' });
    expect(s.candidates[0].out!.reason).toBe('the subject had at least 2 email contacts in 7 days; the cap allows 2');
  });

  it('says how many contacts and dismissals the ledger counted, not the max, when it counted more (a cap or count lowered since)', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    for (const d of [3, 2, 1]) contact(ledger, now - d * DAY, 'digest');
    for (const d of [3, 2, 1]) ledger.dismiss('p1', now - d * DAY, 'promo');
    const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }], dismissals: { count: 2, window: '30d' } } };
    const s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    // the ledger keeps what the caps need, so a count at the max or above is a floor (contact-ledger.ts, fit)
    expect(s.candidates[1].out!.reason).toBe('the subject had at least 3 email contacts in 7 days; the cap allows 2');
    const d = stageContext({ catalog, policy: { contact: { dismissals: policy.contact.dismissals } }, placement: 'mail', now, ledger });
    contactPolicy(d.candidates, d.ctx);
    expect(d.candidates[0].out!.reason).toBe('the subject dismissed it at least 3 times in 30 days; the policy stops offering it after 2');
  });

  it('names a window that is not whole minutes as it is, not rounded to minutes', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    contact(ledger, now - 60_000, 'digest');
    for (const [window, said] of [['90s', '90 s'], ['20s', '20 s'], ['2m', '2 min'], ['1.1h', '66 min'], ['36h', '36 h']]) {
      // a contact 60 s ago is inside every window here but the 20 s one: that one is a cap of 0 to show its window
      const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: window === '20s' ? 0 : 1, window }] } };
      const s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
      contactPolicy(s.candidates, s.ctx);
      expect(s.candidates[1].out!.reason, window).toBe(window === '20s' ? `the cap allows no email contacts in ${said}` : `the subject had at least 1 email contact in ${said}; the cap allows 1`);
    }
  });

  it('caps by topic only the actions of that topic', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    contact(ledger, now - DAY, 'promo', 'web', ['marketing']);
    const policy = { contact: { caps: [{ name: 'marketing', topic: 'marketing', max: 1, window: '7d' }] } };
    const s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates)).toEqual({ in: ['digest', 'tips'], out: { promo: 'contact policy/marketing' } });
  });

  it('suppresses an action after N dismissals within the window', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(60 * DAY);
    ledger.dismiss('p1', now - 40 * DAY, 'promo');
    ledger.dismiss('p1', now - 2 * DAY, 'promo');
    ledger.dismiss('p1', now - 1 * DAY, 'digest');
    const policy = { contact: { dismissals: { count: 2, window: '30d' } } };
    let s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo', 'digest', 'tips']);
    ledger.dismiss('p1', now - 1000, 'promo');
    s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).out).toEqual({ promo: 'contact policy/dismissals' });
  });

  it('shares a global budget fairly by weight, not first-come, and opens leftovers late in the window', () => {
    const start = Date.parse('2026-06-10T00:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    // promo asked first and often: it may use only its share, 100 × 1/4 = 25 (tips weighs 2).
    for (let i = 0; i < 25; i++) ledger.record(`s${i}`, { at: start + i * 1000, action: 'promo', channel: 'email', topics: [], decisionId: `d${i}` });
    const policy = { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 100, window: '1d' }] } };
    let s = stageContext({ catalog, policy, placement: 'mail', now: start + 6 * 3_600_000, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates)).toEqual({ in: ['digest', 'tips'], out: { promo: 'contact policy/email budget' } });
    expect(s.candidates[0].out!.reason).toContain('fair share of the email budget (25 of 25');
    // after 80% of the day, what the others left is open to all
    s = stageContext({ catalog, policy, placement: 'mail', now: start + 20 * 3_600_000, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo', 'digest', 'tips']);
    // a spent budget stops everyone
    for (let i = 0; i < 75; i++) ledger.record(`t${i}`, { at: start + 7 * 3_600_000, action: i % 2 ? 'tips' : 'digest', channel: 'email', topics: [], decisionId: `e${i}` });
    s = stageContext({ catalog, policy, placement: 'mail', now: start + 21 * 3_600_000, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual([]);
    expect(s.candidates[1].out!.reason).toBe('the email budget of 100 per 1 day is spent');
    // a new day is a new window
    s = stageContext({ catalog, policy, placement: 'mail', now: start + DAY + 1000, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo', 'digest', 'tips']);
  });

  it('shares a budget among the actions that can be shown now: one ended, one not started and one with only drafts take no share', () => {
    const start = Date.parse('2026-06-10T00:00:00Z');
    const withIdle = { ...catalog, actions: [
      ...catalog.actions,
      { id: 'spring', name: 'Spring sale', channels: ['email'], end: '2026-05-31T00:00:00Z' },
      { id: 'winter', name: 'Winter sale', channels: ['email'], start: '2026-12-01T00:00:00Z' },
      { id: 'draft', name: 'Draft', channels: ['email'], variants: [{ id: 'v1', status: 'draft' as const, content: {} }] },
    ] };
    const ledger = new ContactLedger(30 * DAY);
    for (let i = 0; i < 25; i++) ledger.record(`s${i}`, { at: start + i * 1000, action: 'promo', channel: 'email', topics: [], decisionId: `d${i}` });
    const policy = { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 100, window: '1d' }] } };
    const s = stageContext({ catalog: withIdle, policy, placement: 'mail', now: start + 6 * 3_600_000, ledger });
    contactPolicy(s.candidates, s.ctx);
    // promo's share is 100 × 1/4 = 25, as without the three: counting them it was 100 × 1/7, 15 contacts.
    expect(s.candidates.find((c) => c.action.id === 'promo')!.out!.reason).toContain('fair share of the email budget (25 of 25');
    const play = playbookFor(compileCatalog(withIdle), compilePolicy(policy), 1, 1);
    const record = { at: start + 6 * 3_600_000, channel: 'email', choices: [{ rank: 1, kind: 'action', action: 'promo' }] } as DecisionRecord;
    expect(budgetGuards(record, play)[0].shares).toEqual({ promo: 25 });
    // Once winter has started it takes its share: 100 × 1/5.
    const later = { ...record, at: Date.parse('2026-12-02T00:00:00Z') } as DecisionRecord;
    expect(budgetGuards(later, play)[0].shares).toEqual({ promo: 20 });
  });

  it('starts a week\'s budget on Monday 00:00 UTC (an ISO week), not on the Thursday 1970-01-01 was; a day\'s at midnight UTC', () => {
    const ledger = new ContactLedger(30 * DAY);
    ledger.record('s1', { at: Date.parse('2026-06-05T12:00:00Z'), action: 'promo', channel: 'email', topics: [], decisionId: 'd1' }); // a Friday
    const policy = { contact: { budgets: [{ name: 'weekly', channel: 'email', max: 1, window: '1w', borrowAfter: 1 }] } };
    const at = (iso: string) => {
      const s = stageContext({ catalog, policy, placement: 'mail', now: Date.parse(iso), ledger });
      contactPolicy(s.candidates, s.ctx);
      return { in: outcome(s.candidates).in, start: new Date(ledger.budgetUse(s.ctx.policy.budgets[0], s.ctx.now).windowStart).toISOString() };
    };
    // Sunday night is still the Friday's week; Monday begins a new one
    expect(at('2026-06-07T23:59:00Z')).toEqual({ in: [], start: '2026-06-01T00:00:00.000Z' });
    expect(at('2026-06-08T00:00:00Z')).toEqual({ in: ['promo', 'digest', 'tips'], start: '2026-06-08T00:00:00.000Z' });
    expect(at('2026-06-10T12:00:00Z').start).toBe('2026-06-08T00:00:00.000Z'); // a Wednesday
    // the exact check of a shared store counts the same window
    const play = playbookFor(compileCatalog(catalog), compilePolicy(policy), 1, 1);
    const record = { at: Date.parse('2026-06-10T12:00:00Z'), channel: 'email', choices: [{ rank: 1, kind: 'action', action: 'promo' }] } as DecisionRecord;
    expect(new Date(budgetGuards(record, play)[0].windowStart).toISOString()).toBe('2026-06-08T00:00:00.000Z');
    const daily = compilePolicy({ contact: { budgets: [{ channel: 'email', max: 1, window: '1d' }] } }).budgets[0];
    expect(new Date(ledger.budgetUse(daily, Date.parse('2026-06-10T23:59:59Z')).windowStart).toISOString()).toBe('2026-06-10T00:00:00.000Z');
  });

  it('keeps quiet hours in the policy\'s time zone for a subject whose time zone is not known, and says so', () => {
    const policy = { contact: { quietHours: { from: '21:00', to: '08:00', timezone: 'Europe/London' } } };
    const at = Date.parse('2026-06-01T20:30:00Z'); // 21:30 in London
    const { ctx, candidates } = stageContext({ catalog, policy, placement: 'mail', now: at, timezone: 'Mars/Olympus' });
    contactPolicy(candidates, ctx);
    expect(outcome(candidates).in).toEqual([]);
    expect(candidates[0].out!.reason).toBe('it is 21:30 in Europe/London (the policy\'s time zone: the subject\'s, "Mars/Olympus", is not one Tact knows), inside the quiet hours 21:00–08:00 for email');
  });

  it('says the policy\'s time zone was used for a subject with no time zone at all', () => {
    const policy = { contact: { quietHours: { from: '21:00', to: '08:00', timezone: 'Europe/London' } } };
    for (const tz of [null, '']) {
      const { ctx, candidates } = stageContext({ catalog, policy, placement: 'mail', now: Date.parse('2026-06-01T20:30:00Z'), timezone: tz });
      contactPolicy(candidates, ctx);
      expect(candidates[0].out!.reason).toBe('it is 21:30 in Europe/London (the policy\'s time zone: the subject\'s is not known), inside the quiet hours 21:00–08:00 for email');
    }
  });

  it('keeps quiet hours that cross midnight, in local time across a change of clocks', () => {
    const policy = { contact: { quietHours: { from: '22:00', to: '07:00' } } };
    const quiet = (iso: string) => {
      const { ctx, candidates } = stageContext({ catalog, policy, placement: 'mail', now: Date.parse(iso), timezone: 'Europe/London' });
      contactPolicy(candidates, ctx);
      return outcome(candidates).in.length === 0;
    };
    expect([quiet('2026-03-29T00:30:00Z'), quiet('2026-03-29T05:59:00Z'), quiet('2026-03-29T06:00:00Z')]).toEqual([true, true, false]); // BST from 01:00 UTC
    expect([quiet('2026-10-24T20:59:00Z'), quiet('2026-10-24T21:00:00Z'), quiet('2026-10-25T06:59:00Z'), quiet('2026-10-25T07:00:00Z')]).toEqual([false, true, true, false]);
  });

  it('says how many contacts an action\'s fair share of a budget allows when the share is not whole', () => {
    const start = Date.parse('2026-06-10T00:00:00Z');
    const ledger = new ContactLedger(30 * DAY);
    // promo's share is 10 × 1/4 = 2.5: it may send while it has sent fewer than 2.5, so 3 in all
    for (let i = 0; i < 3; i++) ledger.record(`s${i}`, { at: start + i * 1000, action: 'promo', channel: 'email', topics: [], decisionId: `d${i}` });
    const policy = { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 10, window: '1d' }] } };
    const s = stageContext({ catalog, policy, placement: 'mail', now: start + 3_600_000, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).out).toEqual({ promo: 'contact policy/email budget' });
    expect(s.candidates[0].out!.reason).toContain('fair share of the email budget (3 of 3 this 1 day window)');
  });

  it('explains a cap of 0 and a budget share of 0 without claiming contacts that never were', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    let s = stageContext({ catalog, policy: { contact: { caps: [{ name: 'no sms', channel: 'email', max: 0, window: '7d' }] } }, placement: 'mail', now });
    contactPolicy(s.candidates, s.ctx);
    expect(s.candidates[0].out!.reason).toBe('the cap allows no email contacts in 7 days');
    const zero = { ...catalog, actions: catalog.actions.map((a) => (a.id === 'promo' ? { ...a, budgetWeight: 0 } : a)) };
    s = stageContext({ catalog: zero, policy: { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 10, window: '1d' }] } }, placement: 'mail', now });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).out).toEqual({ promo: 'contact policy/email budget' });
    expect(s.candidates[0].out!.reason).toBe('it has no share of the email budget (its budgetWeight is 0); unused shares open to all after 80% of the window');
  });

  it('gives no share to actions of weight 0 even when every action of the channel weighs 0', () => {
    const start = Date.parse('2026-06-10T00:00:00Z');
    const one = { actions: [{ id: 'promo', name: 'Promo', channels: ['email'], budgetWeight: 0 }], placements: [{ id: 'mail', channel: 'email' }] };
    const policy = { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 10, window: '1d' }] } };
    let s = stageContext({ catalog: one, policy, placement: 'mail', now: start + 3_600_000 });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).out).toEqual({ promo: 'contact policy/email budget' });
    expect(s.candidates[0].out!.reason).toBe('it has no share of the email budget (its budgetWeight is 0); unused shares open to all after 80% of the window');
    // late in the window the budget is open to it
    s = stageContext({ catalog: one, policy, placement: 'mail', now: start + 20 * 3_600_000 });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo']);
  });

  it('counts a contact or dismissal exactly a window old as inside the window', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    const ledger = new ContactLedger(60 * DAY);
    contact(ledger, now - 7 * DAY, 'digest');
    ledger.dismiss('p1', now - 30 * DAY, 'tips');
    const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: 1, window: '7d' }], dismissals: { count: 1, window: '30d' } } };
    let s = stageContext({ catalog, policy, placement: 'mail', now, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual([]);
    s = stageContext({ catalog, policy, placement: 'mail', now: now + 1, ledger });
    contactPolicy(s.candidates, s.ctx);
    expect(outcome(s.candidates).in).toEqual(['promo', 'digest', 'tips']);
  });
});
