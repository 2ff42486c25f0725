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
