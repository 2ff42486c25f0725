import { describe, expect, it } from 'vitest';
import { checkPolicy } from './policy-check.js';

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
    expect(problems[0].message).toContain('the properties are name, channel, topic, action, max, window');
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
  });
});
