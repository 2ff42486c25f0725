import { describe, expect, it } from 'vitest';
import { checkPolicy } from './policy-check.js';
import { compilePolicy } from './policy-compile.js';
import type { Policy } from './policy.js';

const fields = (body: unknown) => checkPolicy(body).map((p) => p.field);

describe('names in a policy document', () => {
  it('refuses a second rule, lever or human territory of one name, naming both', () => {
    const problems = checkPolicy({
      rules: [
        { name: 'adults', stage: 'eligibility', when: 'features.age >= 18.0' },
        { name: 'no gifts', stage: 'suitability', when: 'true' },
        { name: 'adults', stage: 'suitability', when: 'features.orders >= 1.0' },
      ],
      levers: [{ name: 'spring', weight: 1.2 }, { name: 'spring', weight: 0.8, topics: ['marketing'] }],
      humanTerritory: [{ name: 'key accounts', queue: 'am', accounts: ['acme'] }, { name: 'key accounts', queue: 'vip', flags: ['vip'] }],
    });
    expect(problems).toEqual([
      { field: 'rules[2].name', message: 'The `rules[2].name` "adults" is already the name of `rules[0]`: an explanation names the rule that excluded an action, and would not say which of the two. Give each rule its own name.' },
      { field: 'humanTerritory[1].name', message: expect.stringMatching(/^The `humanTerritory\[1\]\.name` "key accounts" is already the name of `humanTerritory\[0\]`: /) },
      { field: 'levers[1].name', message: expect.stringMatching(/^The `levers\[1\]\.name` "spring" is already the name of `levers\[0\]`: /) },
    ]);
  });

  it('refuses a second cap or budget of one name, and a cap and a budget of one name: an exclusion by the contact policy names either', () => {
    expect(checkPolicy({ contact: { budgets: [{ name: 'weekly', channel: 'email', max: 9, window: '7d' }, { name: 'daily', channel: 'sms', max: 9, window: '1d' }, { name: 'weekly', channel: 'sms', max: 50, window: '7d' }] } })).toEqual([
      { field: 'contact.budgets[2].name', message: 'The `contact.budgets[2].name` "weekly" is already the name of `contact.budgets[0]`: an explanation names the budget that excluded an action, and would not say which of the two. Give each budget its own name.' },
    ]);
    expect(fields({ contact: { caps: [{ name: 'email', channel: 'email', max: 2, window: '7d' }, { name: 'email', topic: 'news', max: 1, window: '1d' }] } })).toEqual(['contact.caps[1].name']);
    expect(checkPolicy({ contact: { caps: [{ name: 'email', channel: 'email', max: 2, window: '7d' }], budgets: [{ name: 'email', channel: 'email', max: 900, window: '1d' }] } })).toEqual([
      { field: 'contact.budgets[0].name', message: expect.stringContaining('The `contact.budgets[0].name` "email" is already the name of `contact.caps[0]`') },
    ]);
  });

  it('refuses a cap or budget named as the contact policy names quiet hours and dismissals, and a territory named as reviews', () => {
    expect(checkPolicy({ contact: { caps: [{ name: 'quiet hours', max: 2, window: '7d' }] } })).toEqual([
      { field: 'contact.caps[0].name', message: 'The `contact.caps[0].name` "quiet hours" is the name explanations give the contact policy\'s quiet hours: an exclusion by the cap could not be told from one by them. Give the cap another name.' },
    ]);
    expect(fields({ contact: { budgets: [{ name: 'dismissals', channel: 'email', max: 9, window: '1d' }] } })).toEqual(['contact.budgets[0].name']);
    expect(fields({ humanTerritory: [{ name: 'review', queue: 'am', accounts: ['acme'] }] })).toEqual(['humanTerritory[0].name']);
    expect(fields({ rules: [{ name: 'own suitability rule', stage: 'suitability', when: 'true' }] })).toEqual(['rules[0].name']);
  });

  it('names an unnamed cap or budget by what it limits, so two unnamed ones with different settings never share a name, wherever they stand', () => {
    const p: Policy = {
      contact: {
        caps: [{ channel: 'email', max: 2, window: '7d' }, { channel: 'email', max: 1, window: '1d' }, { topic: 'marketing', action: 'winback', channel: 'email', max: 1, window: '30d' }, { max: 5, window: '36h' }],
        budgets: [{ channel: 'email', max: 500, window: '1d' }, { channel: 'sms', max: 500, window: '1d' }, { channel: 'email', max: 2000, window: '1w' }],
      },
    };
    expect(checkPolicy(p)).toEqual([]);
    const c = compilePolicy(p);
    expect(c.caps.map((x) => x.name)).toEqual(['email cap (2 per 7 days)', 'email cap (1 per 1 day)', '"winback" marketing email cap (1 per 30 days)', 'cap (5 per 36 h)']);
    expect(c.budgets.map((x) => x.name)).toEqual(['email budget (500 per 1 day)', 'sms budget (500 per 1 day)', 'email budget (2000 per 7 days)']);
    // Its name does not move with its place: a cap put first keeps the name its decisions were logged under.
    expect(compilePolicy({ contact: { caps: [p.contact!.caps![1], p.contact!.caps![0]] } }).caps.map((x) => x.name)).toEqual(['email cap (1 per 1 day)', 'email cap (2 per 7 days)']);
  });

  it('refuses an unnamed cap alike another ("7d" and "1w" are one window), and a name that is another unnamed cap\'s', () => {
    expect(checkPolicy({ contact: { caps: [{ channel: 'email', max: 2, window: '7d' }, { channel: 'email', max: 2, window: '1w' }] } })).toEqual([
      { field: 'contact.caps[1]', message: 'The `contact.caps[1]` has no name and limits what `contact.caps[0]` limits, as much ("email cap (2 per 7 days)"): the two count the same contacts. Remove one, or name them apart.' },
    ]);
    expect(checkPolicy({ contact: { caps: [{ channel: 'email', max: 2, window: '7d' }, { name: 'email cap (2 per 7 days)', channel: 'sms', max: 2, window: '7d' }] } })).toEqual([
      { field: 'contact.caps[1].name', message: expect.stringContaining('The `contact.caps[1].name` "email cap (2 per 7 days)" is already the name of `contact.caps[0]` (the name an unnamed cap is given)') },
    ]);
  });

  it('refuses two budgets on one channel over one window (a store counts such a window once): the smaller max would bind alone', () => {
    expect(checkPolicy({ contact: { budgets: [{ channel: 'email', max: 500, window: '1d' }, { name: 'spare', channel: 'email', max: 900, window: '24h', borrowAfter: 0.5 }] } })).toEqual([
      { field: 'contact.budgets[1]', message: 'The `contact.budgets[1]` limits the channel `email` over the same window as `contact.budgets[0]` (1 day): the one with the smaller max would bind alone, and a shared store counts a channel\'s window once, not per budget. Keep one budget per channel and window.' },
    ]);
    expect(checkPolicy({ contact: { budgets: [{ channel: 'email', max: 500, window: '1d' }, { channel: 'email', max: 2000, window: '7d' }, { channel: 'sms', max: 100, window: '1d' }] } })).toEqual([]);
  });
});

describe('lever weights', () => {
  it('refuses a weight of 0: it does not stop the actions (exploration still chooses them); a rule does', () => {
    expect(checkPolicy({ levers: [{ name: 'pause shoes', weight: 0, topics: ['shoes'] }] })).toEqual([
      { field: 'levers[0].weight', message: 'The `levers[0].weight` is 0: the actions it applies to would score as worth nothing, yet exploration would still choose them now and then. To stop offering them, write a rule (`rules`); a lever\'s weight is above 0 (below 1 lowers, above 1 raises).' },
    ]);
    expect(fields({ levers: [{ name: 'less', weight: -1 }] })).toEqual(['levers[0].weight']);
    expect(checkPolicy({ levers: [{ name: 'less', weight: 0.1 }] })).toEqual([]);
  });
});
