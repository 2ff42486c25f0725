import { describe, expect, it } from 'vitest';
import { shopCatalog, shopPolicy } from './fixtures.js';
import type { Policy } from './policy.js';
import { catalogNames, policyTargetProblems } from './policy-targets.js';

const names = catalogNames(shopCatalog(), 4);
const problems = (p: Policy) => policyTargetProblems(p, names);

describe('a policy item whose action, topic and channel are each the catalog\'s, though no action has them together', () => {
  it('is refused naming the item: a cap for the web-only loan offer on e-mail would count nothing', () => {
    expect(problems({ contact: { caps: [{ name: 'loan e-mails', channel: 'email', action: 'loan-offer', max: 1, window: '30d' }] } })).toEqual([
      { field: 'contact.caps[0]', message: 'The `contact.caps[0]` names the action `loan-offer` and the channel `email`, each the catalog\'s, but no action of the catalog (version 4) has them together: the cap would count nothing. `loan-offer` is on web with the topic finance.' },
    ]);
    expect(problems({
      rules: [{ name: 'no finance e-mails', stage: 'eligibility', when: 'false', topics: ['finance'], channels: ['email'] }],
      levers: [{ name: 'push content', weight: 1.5, actions: ['newsletter', 'socks-offer'], topics: ['service'] }],
    })).toEqual([
      { field: 'rules[0]', message: 'The `rules[0]` names the topic `finance` and the channel `email`, each the catalog\'s, but no action of the catalog (version 4) has them together: the rule would never apply.' },
      { field: 'levers[0]', message: 'The `levers[0]` names the action `newsletter` or `socks-offer` and the topic `service`, each the catalog\'s, but no action of the catalog (version 4) has them together: the lever would never apply. `socks-offer` is on web, email with the topic marketing; `newsletter` is on web, email with the topic content.' },
    ]);
  });

  it('is not refused when one action has them together, nor said twice when a name itself is not the catalog\'s', () => {
    expect(problems(shopPolicy())).toEqual([]);
    expect(problems({ contact: { caps: [{ channel: 'email', topic: 'marketing', action: 'shoes-offer', max: 1, window: '7d' }] }, levers: [{ name: 'x', weight: 2, topics: ['finance', 'content'], channels: ['email'] }] })).toEqual([]);
    expect(problems({ contact: { caps: [{ channel: 'sms', action: 'loan-offer', max: 1, window: '7d' }] } }).map((p) => p.field)).toEqual(['contact.caps[0].channel']);
  });
});
