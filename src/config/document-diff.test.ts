import { describe, expect, it } from 'vitest';
import { differenceLine, documentDiff } from './document-diff.js';

describe('documentDiff', () => {
  it('finds nothing between documents that differ only in key order', () => {
    expect(documentDiff({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('names each key added, removed or changed, at any depth', () => {
    expect(documentDiff({ retention: '400d', levers: { margin: 1, urgency: 2 } }, { levers: { margin: 1.5, reach: 1 }, exploration: 0.05 })).toEqual([
      { path: 'levers.margin', change: 'changed', before: 1, after: 1.5 },
      { path: 'levers.reach', change: 'added', after: 1 },
      { path: 'levers.urgency', change: 'removed', before: 2 },
      { path: 'exploration', change: 'added', after: 0.05 },
      { path: 'retention', change: 'removed', before: '400d' },
    ]);
  });

  it('compares a list of named items item by item: one added in front is one difference, not every item after it', () => {
    const orders = { name: 'orders', kind: 'count', event: 'Order Completed' };
    const views = { name: 'views', kind: 'count', event: 'Product Viewed' };
    const spend = { name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' };
    expect(documentDiff([orders, views], [spend, orders, { ...views, kind: 'decayed' }])).toEqual([
      { path: '[spend]', change: 'added', after: spend },
      { path: '[views].kind', change: 'changed', before: 'count', after: 'decayed' },
    ]);
    expect(documentDiff({ actions: [{ id: 'a', value: 1 }, { id: 'b', value: 2 }] }, { actions: [{ id: 'b', value: 2 }] })).toEqual([{ path: 'actions[a]', change: 'removed', before: { id: 'a', value: 1 } }]);
  });

  it('compares by position a list whose items have no distinct name or id', () => {
    expect(documentDiff({ blocked: ['null', '0'] }, { blocked: ['null', '-1', 'anonymous'] })).toEqual([
      { path: 'blocked[1]', change: 'changed', before: '0', after: '-1' },
      { path: 'blocked[2]', change: 'added', after: 'anonymous' },
    ]);
    // Two items of one name: by position.
    expect(documentDiff([{ name: 'x', n: 1 }, { name: 'x', n: 2 }], [{ name: 'x', n: 1 }, { name: 'x', n: 3 }])).toEqual([{ path: '[1].n', change: 'changed', before: 2, after: 3 }]);
  });

  it('says a value of another type is changed, the whole document too', () => {
    expect(documentDiff({ a: [1] }, { a: { b: 1 } })).toEqual([{ path: 'a', change: 'changed', before: [1], after: { b: 1 } }]);
    expect(documentDiff([], {})).toEqual([{ path: '', change: 'changed', before: [], after: {} }]);
  });
});

describe('differenceLine', () => {
  it('writes a difference as one line, values as JSON cut to a width', () => {
    expect(differenceLine({ path: 'stages[buyer].when', change: 'changed', before: 'features.orders >= 2.0', after: 'features.purchases >= 2.0' }, [])).toBe('stages[buyer].when: "features.orders >= 2.0" → "features.purchases >= 2.0"');
    expect(differenceLine({ path: '[spend]', change: 'added', after: { name: 'spend' } }, [])).toBe('[spend]: added {"name":"spend"}');
    expect(differenceLine({ path: 'retention', change: 'removed', before: '400d' }, [])).toBe('retention: removed');
    expect(differenceLine({ path: 'x', change: 'added', after: 'y'.repeat(200) }, [], 20)).toBe(`x: added "${'y'.repeat(18)}…`);
    expect(differenceLine({ path: '', change: 'changed', before: [], after: {} }, [])).toBe('(document): [] → {}');
  });

  it('never shows a secret: at its path, under it, above it, or read back redacted', () => {
    const secrets = ['webhook.secret'];
    expect(differenceLine({ path: 'webhook.secret', change: 'changed', before: { redacted: true }, after: 's3cret' }, secrets)).toBe('webhook.secret: holds a secret, not shown: the one in force → the one sent');
    expect(differenceLine({ path: 'webhook', change: 'added', after: { url: 'https://x', secret: 's3cret' } }, secrets)).toBe('webhook: added (holds a secret, not shown)');
    expect(differenceLine({ path: '', change: 'changed', before: [], after: { webhook: { secret: 's3cret' } } }, secrets)).not.toContain('s3cret');
    expect(differenceLine({ path: 'other', change: 'changed', before: { token: { redacted: true } }, after: { token: 's3cret' } }, [])).not.toContain('s3cret');
    expect(differenceLine({ path: 'webhook.url', change: 'changed', before: 'https://a', after: 'https://b' }, secrets)).toBe('webhook.url: "https://a" → "https://b"');
  });
});
