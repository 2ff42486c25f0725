import { describe, expect, it } from 'vitest';
import { createBandit } from '../../learn/bandit/thompson.js';
import type { BanditBook } from '../bandit/bandit-select.js';
import type { Catalog } from '../catalog.js';
import { ContactLedger } from '../contact-ledger.js';
import { compileCatalog } from '../catalog-compile.js';
import { runPipeline } from '../pipeline.js';
import { playbookFor } from '../playbook.js';
import type { Policy } from '../policy.js';
import { stageContext } from './fixture-context.js';

const DAY = 86_400_000;
const now = Date.parse('2026-06-10T12:00:00Z');
const actions = [
  { id: 'promo', name: 'Promo', channels: ['email'], topics: ['marketing'], value: 10 },
  { id: 'sale', name: 'Sale', channels: ['email'], topics: ['marketing'], value: 9 },
  { id: 'digest', name: 'Digest', channels: ['email'], topics: ['content'], value: 8 },
];
const catalog: Catalog = { actions, placements: [{ id: 'mail', channel: 'email', slots: 3 }] };
const banditCatalog: Catalog = { actions, placements: [{ id: 'mail', channel: 'email', slots: 3, selection: { kind: 'thompson', features: [] } }] };
const book: BanditBook = { stateFor: (_p, ids, config) => createBandit([...ids], config), versionOf: () => 'bandit:mail@0' };

function decide(policy: Policy, o: { ledger?: ContactLedger; bandit?: boolean } = {}) {
  const { ctx } = stageContext({ catalog: o.bandit ? banditCatalog : catalog, policy: { exploration: { budget: 0 }, ...policy }, placement: 'mail', now, ledger: o.ledger, rates: { promo: 0.5, sale: 0.5, digest: 0.5 } });
  if (o.bandit) ctx.bandits = book;
  const play = playbookFor(compileCatalog(o.bandit ? banditCatalog : catalog), ctx.policy, 1, 1);
  const r = runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 3, () => 'r');
  return r.choices.map((c) => c.action ?? c.kind);
}

describe('a decision of several choices and the contact policy', () => {
  it('does not pass an email cap of 2 with n = 3 choices', () => {
    const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } };
    expect(decide(policy)).toEqual(['promo', 'sale', 'none']);
    // one contact this week already: one more fits
    const ledger = new ContactLedger(30 * DAY);
    ledger.record('p1', { at: now - DAY, action: 'digest', channel: 'email', topics: ['content'], decisionId: 'd0' });
    expect(decide(policy, { ledger })).toEqual(['promo', 'none']);
  });

  it('limits by a topic cap only the choices of that topic', () => {
    const policy = { contact: { caps: [{ name: 'marketing', topic: 'marketing', max: 1, window: '7d' }] } };
    expect(decide(policy)).toEqual(['promo', 'digest', 'none']);
  });

  it('keeps several caps at once', () => {
    const policy = { contact: { caps: [{ name: 'marketing', topic: 'marketing', max: 1, window: '7d' }, { name: 'daily', channel: 'email', max: 1, window: '1d' }] } };
    expect(decide(policy)).toEqual(['promo', 'none']);
  });

  it('does not pass what is left of a global budget', () => {
    const ledger = new ContactLedger(30 * DAY);
    for (let i = 0; i < 9; i++) ledger.record(`s${i}`, { at: now - 3_600_000, action: 'digest', channel: 'email', topics: ['content'], decisionId: `d${i}` });
    const policy = { contact: { budgets: [{ name: 'email budget', channel: 'email', max: 10, window: '1d', borrowAfter: 0 }] } };
    expect(decide(policy, { ledger })).toEqual(['promo', 'none']);
  });

  it('holds bandit selection to the caps too', () => {
    const policy = { contact: { caps: [{ name: 'email cap', channel: 'email', max: 2, window: '7d' }] } };
    const picked = decide(policy, { bandit: true });
    expect(picked.filter((a) => a !== 'none')).toHaveLength(2);
    expect(picked.at(-1)).toBe('none');
  });
});

describe('a held action\'s safe default and the caps', () => {
  it('counts the safe default that stands in for a held action, not the held action', () => {
    const held: Catalog = {
      actions: [
        { id: 'loan', name: 'Loan', channels: ['email'], topics: ['credit'], value: 100, highStakes: true },
        { id: 'news', name: 'News', channels: ['email'], topics: ['content'], value: 10 },
        { id: 'promo', name: 'Promo', channels: ['email'], topics: ['marketing'], value: 8 },
        { id: 'digest', name: 'Digest', channels: ['email'], topics: ['content'], value: 1 },
      ],
      placements: [{ id: 'mail', channel: 'email', slots: 3, safeDefault: 'digest' }],
    };
    const policy: Policy = { exploration: { budget: 0 }, contact: { caps: [{ name: 'content', topic: 'content', max: 1, window: '7d' }] } };
    const { ctx } = stageContext({ catalog: held, policy, placement: 'mail', now, rates: { loan: 0.5, news: 0.5, promo: 0.5, digest: 0.5 } });
    const play = playbookFor(compileCatalog(held), ctx.policy, 1, 1);
    const r = runPipeline(ctx, play.rulebook.forPlacement(ctx.placement), 3, () => 'r');
    // the safe default "digest" stands in for the held loan and is the one content contact the cap allows
    expect(r.choices.filter((c) => c.kind === 'action').map((c) => c.action)).toEqual(['digest', 'promo']);
    expect(r.choices[0].held).toEqual({ action: 'loan', reviewId: 'r' });
  });
});
