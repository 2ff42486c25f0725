import { describe, expect, it } from 'vitest';
import { checkCatalog } from './catalog.js';

const web = (extra: Record<string, unknown>) => ({ id: 'sale', name: 'Sale', channels: ['web'], ...extra });

describe('silent mistakes in a catalog', () => {
  it('refuses an action whose `end` is not after its `start`: it could never be offered', () => {
    expect(checkCatalog({ actions: [web({ start: '2027-03-01T00:00:00Z', end: '2027-02-01T00:00:00Z' })] })).toEqual([
      { field: 'actions[0].end', message: 'The `actions[0].end` (2027-02-01T00:00:00Z) is not after its `start` (2027-03-01T00:00:00Z): the action could never be offered. Swap them, or fix the date.' },
    ]);
    expect(checkCatalog({ actions: [web({ start: '2027-03-01T00:00:00Z', end: '2027-03-01T00:00:00Z' })] }).map((p) => p.field)).toEqual(['actions[0].end']);
    expect(checkCatalog({ actions: [web({ start: '2027-03-01T00:00:00Z', end: '2027-03-02T00:00:00+02:00' })] })).toEqual([]);
    expect(checkCatalog({ actions: [web({ end: '2020-01-01T00:00:00Z' })] })).toEqual([]);
  });

  it('already refuses two actions, placements or variants of one id', () => {
    const problems = checkCatalog({
      actions: [web({ variants: [{ id: 'a' }, { id: 'a' }] }), web({})],
      placements: [{ id: 'home', channel: 'web' }, { id: 'home', channel: 'web' }],
    });
    expect(problems.map((p) => p.field)).toEqual(['actions[0].variants[1].id', 'actions[1].id', 'placements[1].id']);
  });

  it('refuses a placement that names an action not delivered on its channel: it would never compete there', () => {
    const actions = [web({ id: 'loan', topics: ['finance'] }), { id: 'news', name: 'News', channels: ['email', 'web'], topics: ['content'] }];
    expect(checkCatalog({ actions, placements: [{ id: 'mail', channel: 'email', actions: ['news', 'loan'] }] })).toEqual([
      { field: 'placements[0].actions[1]', message: 'The `placements[0].actions[1]` names the action `loan`, which is not delivered on the placement\'s channel `email` (its channels: web): it would never compete at `mail`.' },
    ]);
    expect(checkCatalog({ actions, placements: [{ id: 'home', channel: 'web', actions: ['news', 'loan'] }] })).toEqual([]);
  });

  it('refuses a placement topic that no action competing there has: it narrows to nothing (a misspelt topic would empty the placement)', () => {
    const actions = [web({ id: 'loan', topics: ['finance'] }), { id: 'news', name: 'News', channels: ['email'], topics: ['content'] }];
    expect(checkCatalog({ actions, placements: [{ id: 'home', channel: 'web', topics: ['finance', 'contnet'] }, { id: 'mail', channel: 'email', topics: ['finance'] }] })).toEqual([
      { field: 'placements[0].topics[1]', message: 'The `placements[0].topics[1]` names the topic `contnet`, which no action delivered at `home` has: it lets no action compete there. The topics of the actions on the channel `web` are finance.' },
      { field: 'placements[1].topics[0]', message: 'The `placements[1].topics[0]` names the topic `finance`, which no action delivered at `mail` has: it lets no action compete there. The topics of the actions on the channel `email` are content.' },
    ]);
    // A recommendation placement answers items, not actions; a channel with no actions yet is left alone.
    expect(checkCatalog({ actions, placements: [{ id: 'recs', channel: 'web', kind: 'recommendation', topics: ['shoes'] }, { id: 'sms', channel: 'sms' }] })).toEqual([]);
  });
});

describe('the action ids a catalog reserves', () => {
  it('refuses an action id starting with `queue:`: the log finds handoffs by `action=queue:<name>`, and could not tell them apart', () => {
    expect(checkCatalog({ actions: [web({ id: 'queue:x' })] })).toEqual([
      { field: 'actions[0].id', message: 'The action id `queue:x` starts with `queue:`, which is reserved: the decision log records a handoff to a queue as `queue:<name>`, and `GET /v1/decisions?action=queue:x` could not tell this action from a handoff. Choose another id.' },
    ]);
    // as the reserved "none" is refused; a colon elsewhere in an id is fine
    expect(checkCatalog({ actions: [web({ id: 'none' })] }).map((p) => p.field)).toEqual(['actions[0].id']);
    expect(checkCatalog({ actions: [web({ id: 'shop:queue:x' }), web({ id: 'queues' })] })).toEqual([]);
  });
});
