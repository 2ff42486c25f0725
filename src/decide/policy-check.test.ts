import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MIN_CONCENTRATION } from '../learn/rates/concentration.js';
import { betaInterval } from '../learn/rates/beta-binomial.js';
import { checkPolicy } from './policy-check.js';
import { compilePolicy } from './policy-compile.js';

describe('the contact policy of a policy document', () => {
  it('refuses a property it does not know in a cap, budget, quiet hours or dismissals (a cap of `topics` would cap every action)', () => {
    const problems = checkPolicy({
      contact: {
        caps: [{ name: 'marketing', topics: ['marketing'], max: 1, window: '7d' }],
        budgets: [{ channel: 'email', max: 10, window: '1d', borowAfter: 0.5 }],
        quietHours: { from: '21:00', to: '08:00', channel: ['sms'] },
        dismissals: { count: 2, window: '30d', action: 'promo' },
      },
    });
    expect(problems.map((p) => p.field)).toEqual(['contact.caps[0].topics', 'contact.dismissals.action', 'contact.quietHours.channel', 'contact.budgets[0].borowAfter']);
    expect(problems[0].message).toBe('The `contact.caps[0].topics` field is not one Tact knows here. Did you mean `topic`? The fields are name, channel, topic, action, max, window.');
  });

  it('refuses quiet hours that start and end at the same minute: saved, they would never apply', () => {
    const problems = checkPolicy({ contact: { quietHours: { from: '09:00', to: '09:00', channels: ['email'] } } });
    expect(problems).toEqual([{ field: 'contact.quietHours.to', message: 'The `contact.quietHours.to` is the same time as `from` (09:00): such quiet hours would never apply. For none, leave `quietHours` out; for no contact at all on a channel, use a cap with `max: 0`.' }]);
    expect(checkPolicy({ contact: { quietHours: { from: '00:00', to: '00:01' } } })).toEqual([]);
  });

  it('refuses a retention shorter than a window the contact rules or attribution count back over: after a restart they would see only what the log kept', () => {
    const at = (contact: Record<string, unknown>, days: number, attribution?: string) => checkPolicy({ contact, retention: { days }, ...(attribution ? { outcomes: { attribution: { window: attribution } } } : {}) });
    expect(at({ dismissals: { count: 2, window: '30d' } }, 7)).toEqual([{ field: 'retention.days', message: 'The `retention.days` (7) is shorter than `contact.dismissals.window` (30 days): the decision log would delete what it counts, and after a restart it would count only the last 7 days. Keep the log at least 30 days, or shorten the window.' }]);
    // 36 hours need two days of log; a cap or budget counts too, and the attribution window
    expect(at({ caps: [{ max: 1, window: '36h' }] }, 1, '1d').map((p) => p.message)).toEqual(['The `retention.days` (1) is shorter than `contact.caps[0].window` (36 h): the decision log would delete what it counts, and after a restart it would count only the last 1 day. Keep the log at least 2 days, or shorten the window.']);
    expect(at({ caps: [{ max: 1, window: '36h' }] }, 2, '1d')).toEqual([]);
    expect(at({ budgets: [{ channel: 'email', max: 9, window: '2w' }] }, 13)[0].message).toContain('`contact.budgets[0].window` (14 days)');
    expect(at({}, 6, '7d')[0].message).toContain('`outcomes.attribution.window` (7 days)');
    expect(at({}, 3)[0].message).toContain('`outcomes.attribution.window` (7 days, the default)');
    expect(at({ dismissals: { count: 2, window: '30d' } }, 30)).toEqual([]);
  });

  it('checks the windows against the default retention (400 days) when the policy sets none: until 2026-12-05 only a policy that set `retention` was checked', () => {
    const DEFAULT = 'is longer than the decision log keeps: `retention.days` is 400 by default, and the log would delete what the window counts (after a restart it would count only the last 400 days). Shorten the window, or set `retention.days` to at least 401.';
    expect(checkPolicy({ contact: { caps: [{ channel: 'email', max: 2, window: '401d' }] } })).toEqual([{ field: 'contact.caps[0].window', message: `The \`contact.caps[0].window\` (401 days) ${DEFAULT}` }]);
    expect(checkPolicy({ contact: { dismissals: { count: 2, window: '401d' } } })).toEqual([{ field: 'contact.dismissals.window', message: `The \`contact.dismissals.window\` (401 days) ${DEFAULT}` }]);
    expect(checkPolicy({ outcomes: { attribution: { window: '401d' } } })).toEqual([{ field: 'outcomes.attribution.window', message: `The \`outcomes.attribution.window\` (401 days) ${DEFAULT}` }]);
    expect(checkPolicy({ contact: { budgets: [{ channel: 'email', max: 9, window: '58w' }] } }).map((p) => p.field)).toEqual(['contact.budgets[0].window']);
    // a retention without `days` keeps the default too; at 400 days, or with a longer retention set, they are taken
    expect(checkPolicy({ retention: {}, contact: { dismissals: { count: 2, window: '401d' } } }).map((p) => p.field)).toEqual(['contact.dismissals.window']);
    expect(checkPolicy({ contact: { caps: [{ max: 2, window: '400d' }], dismissals: { count: 2, window: '400d' } }, outcomes: { attribution: { window: '400d' } } })).toEqual([]);
    expect(checkPolicy({ contact: { caps: [{ max: 2, window: '401d' }] }, retention: { days: 401 } })).toEqual([]);
    // an invalid retention is refused for itself, without a second sentence about the windows
    expect(checkPolicy({ contact: { caps: [{ max: 2, window: '30d' }] }, retention: { days: 0 } }).map((p) => p.field)).toEqual(['retention.days']);
  });

  it('refuses a budget window that is not whole minutes: the ledger counts channel volume per minute, so it would misread the window', () => {
    // With "90s" the window 12:01:30–12:03:00 starts inside the minute 12:01, which the ledger's
    // per-minute volume (contact-ledger.ts, budgetUse) counts from 12:01:00 or not at all: a contact
    // at 12:01:31 read back as 0 contacts, and the budget could be passed.
    const budget = (window: string) => checkPolicy({ contact: { budgets: [{ channel: 'email', max: 1, window }] } });
    for (const window of ['90s', '30s', '1.5m', '61000ms']) {
      expect(budget(window), window).toEqual([{ field: 'contact.budgets[0].window', message: `The \`contact.budgets[0].window\` (${window}) must be a whole number of minutes, such as "1h" or "1d": the budget's volume is counted per minute.` }]);
    }
    for (const window of ['2m', '1.5h', '120s', '1d', '1w', '1.1h', '2.3h']) expect(budget(window), window).toEqual([]);
    // 1.1 × 3,600,000 is 3,960,000.0000000005 in doubles: compiled to whole ms, so the windows start on whole minutes
    const windowMs = (window: string) => compilePolicy({ contact: { budgets: [{ channel: 'email', max: 1, window }] } }).budgets[0].windowMs;
    expect([windowMs('1.1h'), windowMs('2.3h')]).toEqual([66 * 60_000, 138 * 60_000]);
    // a cap counts each contact's own time: any window is exact there
    expect(checkPolicy({ contact: { caps: [{ max: 1, window: '90s' }] } })).toEqual([]);
  });

  it('refuses quiet hours on an empty list of channels: saved, they would apply on no channel', () => {
    const problems = checkPolicy({ contact: { quietHours: { from: '21:00', to: '08:00', channels: [] } } });
    expect(problems).toEqual([{ field: 'contact.quietHours.channels', message: 'The `contact.quietHours.channels` is empty: such quiet hours would apply on no channel. Name the channels, or leave `channels` out for quiet hours on every channel.' }]);
    expect(checkPolicy({ contact: { quietHours: { from: '21:00', to: '08:00' } } })).toEqual([]);
    expect(checkPolicy({ contact: { quietHours: { from: '21:00', to: '08:00', channels: ['sms'] } } })).toEqual([]);
  });

  it('wants a cap\'s or budget\'s name to be a non-empty string', () => {
    const problems = checkPolicy({ contact: { caps: [{ name: 3, max: 1, window: '7d' }], budgets: [{ name: '', channel: 'email', max: 1, window: '1d' }] } });
    expect(problems.map((p) => p.field)).toEqual(['contact.caps[0].name', 'contact.budgets[0].name']);
  });
});

describe('every section of a policy document', () => {
  it('refuses a property it does not know, naming it (a misspelt `share` would leave the holdout unset)', () => {
    const problems = checkPolicy({
      consent: { assumeGranted: ['Service'], asumeGranted: ['Email'] },
      humanTerritory: [{ name: 'key accounts', queue: 'am', accounts: ['acme'], acounts: ['globex'] }],
      review: { queue: 'review', rejectFor: '30d', rejectfor: '90d' },
      levers: [{ name: 'push shoes', weight: 1.2, topic: ['shoes'] }],
      exploration: { budget: 0.05, budgte: 0.1 },
      estimates: { level: 0.9, lvl: 0.95 },
      outcomes: { events: { 'Order Completed': { type: 'conversion', value: 'revenue', revenue: 'total' } }, attribution: { window: '7d', modle: 'even' } },
      holdout: { share: 0.05, shar: 0.1 },
      retention: { day: 30 },
    });
    expect(problems.map((p) => p.field)).toEqual([
      'consent.asumeGranted', 'humanTerritory[0].acounts', 'review.rejectfor', 'levers[0].topic', 'exploration.budgte', 'estimates.lvl',
      'outcomes.events.Order Completed.revenue', 'outcomes.attribution.modle', 'holdout.shar', 'retention.day',
    ]);
    expect(problems[1].message).toMatch(/Did you mean `accounts`\?/);
  });

  it('refuses a rule\'s misspelt filter, naming the key it means and the rule\'s keys: saved, the rule would hold for every action', () => {
    const problems = checkPolicy({ rules: [{ name: 'no loans to minors', stage: 'eligibility', when: 'traits.age >= 18.0', actoins: ['loan-offer'] }] });
    expect(problems).toEqual([{ field: 'rules[0].actoins', message: 'The `rules[0].actoins` field is not one Tact knows here. Did you mean `actions`? The fields are name, stage, when, reason, description, actions, topics, channels.' }]);
  });
});

describe('lists that would leave a policy item applying to nothing', () => {
  it('refuses an empty filter of a rule or lever (it would match no action) and empty accounts or flags of a territory (they cover no one)', () => {
    const problems = checkPolicy({
      rules: [{ name: 'adults only', stage: 'eligibility', when: 'traits.age >= 18.0', actions: [], topics: ['loans'] }],
      levers: [{ name: 'push shoes', weight: 1.2, channels: [] }],
      humanTerritory: [{ name: 'key accounts', queue: 'am', accounts: [], flags: [] }],
    });
    expect(problems).toEqual([
      { field: 'rules[0].actions', message: 'The `rules[0].actions` is empty: the rule would apply to no action. Name them, or leave `actions` out for every action.' },
      { field: 'humanTerritory[0].accounts', message: 'The `humanTerritory[0].accounts` is empty: the entry would cover no one by it. Name them, or leave `accounts` out.' },
      { field: 'humanTerritory[0].flags', message: 'The `humanTerritory[0].flags` is empty: the entry would cover no one by it. Name them, or leave `flags` out.' },
      { field: 'levers[0].channels', message: 'The `levers[0].channels` is empty: the lever would apply to no action. Name them, or leave `channels` out for every action.' },
    ]);
    // as compiled, such a filter matches nothing: the rule would hold back no one
    expect(compilePolicy({ rules: [{ name: 'r', stage: 'eligibility', when: 'false', actions: [] }] }).rules[0].matches('loan', ['loans'], 'email')).toBe(false);
    expect(checkPolicy({ rules: [{ name: 'r', stage: 'eligibility', when: 'true', actions: ['loan'] }], humanTerritory: [{ name: 't', queue: 'q', accounts: ['acme'] }] })).toEqual([]);
  });
});

describe('the accounts and flags of a human territory', () => {
  it('refuses a blank account id and a flag name no flag can have: the entry would cover no one by them (until 2026-12-05 both were taken)', () => {
    const problems = checkPolicy({ humanTerritory: [{ name: 't', queue: 'q', accounts: ['acme', '  '], flags: ['has space', 'pause', '9lives'] }] });
    expect(problems).toEqual([
      { field: 'humanTerritory[0].accounts[1]', message: 'The `humanTerritory[0].accounts[1]` is blank (only white space): it names no account, so the entry would cover no one by it.' },
      { field: 'humanTerritory[0].flags[0]', message: 'The `humanTerritory[0].flags[0]` (`has space`) is not a flag\'s name: a flag\'s name starts with a letter or `_`, holds only letters, digits and `_` and is none of CEL\'s reserved words (POST /v1/flags refuses any other), so no subject could have it and the entry would cover no one by it.' },
      { field: 'humanTerritory[0].flags[2]', message: expect.stringContaining('(`9lives`) is not a flag\'s name') },
    ]);
    // an empty string is refused once, as before
    expect(checkPolicy({ humanTerritory: [{ name: 't', queue: 'q', accounts: [''] }] }).map((p) => p.message)).toEqual(['The `humanTerritory[0].accounts` must be a list of non-empty strings.']);
    expect(checkPolicy({ humanTerritory: [{ name: 't', queue: 'q', accounts: [' acme '], flags: ['_vip', 'procurement_delay'] }] })).toEqual([]);
  });
});

describe('the prior strengths of the decision estimates\' ladder', () => {
  const STRENGTHS = ['priorStrength', 'groupStrength', 'personalStrength'] as const;

  it('refuses a strength below the rate model\'s floor κ = 2, naming the field and why', () => {
    // One trial moves the mean of a Beta(κm, κ(1 − m)) prior 1/(κ + 1) of the way to its result —
    // (κm + 1)/(κ + 1) after a success: 1/1.01 ≈ 99% at κ = 0.01 (one trial looks certain), 1/3 at
    // κ = 2, the rate model's floor (src/learn/rates/concentration.ts, MIN_CONCENTRATION).
    expect(MIN_CONCENTRATION).toBe(2);
    const problems = checkPolicy({ estimates: { priorStrength: 0.01, groupStrength: 1.99, personalStrength: 0.5 } });
    expect(problems.map((p) => p.field)).toEqual(STRENGTHS.map((f) => `estimates.${f}`));
    for (const p of problems) {
      expect(p.message).toContain(`\`${p.field}\` must be at least 2`);
      expect(p.message).toMatch(/one trial moves the estimate more than a third of the way/);
    }
    expect(checkPolicy({ estimates: { priorStrength: 2, groupStrength: 2, personalStrength: 2 } })).toEqual([]);
    expect(checkPolicy({ estimates: { personalStrength: 'strong' } }).map((p) => p.field)).toEqual(['estimates.personalStrength']);
  });

  it('refuses a strength above a billion pseudo-trials (which already pins an estimate at its mean), where its interval stops being a number', () => {
    // Beta(5e199, 9.5e199)'s quantiles were NaN: the estimate answered low and high null, "established".
    expect(betaInterval({ alpha: 5e199, beta: 9.5e199 }, 0.9).some(Number.isNaN)).toBe(true);
    expect(betaInterval({ alpha: 0.05e9, beta: 0.95e9 }, 0.9).every(Number.isFinite)).toBe(true);
    const problems = checkPolicy({ estimates: { priorStrength: 1e200, groupStrength: 1e12, personalStrength: 1e9 } });
    expect(problems.map((p) => p.field)).toEqual(['estimates.priorStrength', 'estimates.groupStrength']);
    expect(problems[0].message).toBe('The `estimates.priorStrength` must be at most 1,000,000,000 (it is 1e+200): a prior strength counts pseudo-trials, a billion already pins the estimate at its prior mean whatever the evidence, and beyond it the interval cannot be computed.');
  });

  it('accepts the defaults, the repository\'s tact.config.yaml and the example of docs/decisions.md', () => {
    const defaults = compilePolicy({}).estimates;
    expect(checkPolicy({ estimates: Object.fromEntries(STRENGTHS.map((f) => [f, defaults[f]])) })).toEqual([]);
    for (const f of STRENGTHS) expect(defaults[f]).toBeGreaterThanOrEqual(MIN_CONCENTRATION);
    const example = parseYaml(readFileSync(new URL('../../tact.config.yaml', import.meta.url), 'utf8')) as { policy: unknown };
    expect(checkPolicy(example.policy)).toEqual([]);
    const line = readFileSync(new URL('../../docs/decisions.md', import.meta.url), 'utf8').split('\n').find((l) => /^\s*estimates: \{/.test(l));
    expect(line).toBeDefined();
    const documented = parseYaml(line!.trim()) as { estimates: Record<string, number> };
    expect(Object.keys(documented.estimates)).toEqual(expect.arrayContaining([...STRENGTHS]));
    expect(checkPolicy(documented)).toEqual([]);
  });
});

describe('a lever\'s weight', () => {
  it('is a number above 0 and at most a millionfold: 1e308 made scores Infinity (answered null, logged 0), and "2" was told "at least 0"', () => {
    const msg = (weight: unknown) => checkPolicy({ levers: [{ name: 'big', weight }] }).map((p) => p.message);
    expect(msg(1e308)).toEqual([expect.stringContaining('at most 1,000,000-fold')]);
    expect(msg('2')).toEqual(['The `levers[0].weight` must be a number above 0 (below 1 lowers the score, above 1 raises it).']);
    expect(msg(1_000_000)).toEqual([]);
    expect(msg(0.5)).toEqual([]);
  });
});
