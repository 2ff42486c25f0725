import { describe, expect, it } from 'vitest';
import type { Message } from '../../collect/message.js';
import { compileFeature } from './definition.js';
import { matches } from './state.js';
import { warnOfWhereErrors, whereErrorsView } from './where-errors.js';

const order = (properties: Record<string, unknown>, event = 'Order Completed'): Message => ({ messageId: 'm', type: 'track', event, properties, context: {}, timestamp: 0, receivedAt: 0 });
const bigOrders = () => compileFeature({ name: 'big_orders', kind: 'count', where: 'properties.revenue > 100' });

describe("a feature's failed where", () => {
  it('counts a value of another type than the filter compares (string, null, bool) as an error, and no match', () => {
    const f = bigOrders();
    expect(matches(f, order({ revenue: '120' }))).toBe(false);
    expect(matches(f, order({ revenue: null }))).toBe(false);
    expect(matches(f, order({ revenue: true }, 'Refund Issued'))).toBe(false);
    expect(f.whereErrors.count).toBe(3);
    expect(f.whereErrors.lastMessage).toBe('no such overload: dyn<bool> > int');
    expect(f.whereErrors.lastEvent).toBe('Refund Issued');
    expect(f.whereErrors.firstAt).toBeLessThanOrEqual(f.whereErrors.lastAt!);
  });

  it('does not count a missing key, and matches numbers (int and double)', () => {
    const f = bigOrders();
    expect(matches(f, order({}))).toBe(false);
    expect(matches(f, order({ revenue: 120 }))).toBe(true);
    expect(matches(f, order({ revenue: 120.5 }))).toBe(true);
    expect(matches(f, order({ revenue: 50 }))).toBe(false);
    expect(f.whereErrors.count).toBe(0);
    expect(whereErrorsView(f.whereErrors)).toBeUndefined();
  });

  it('names a page or other call by its type', () => {
    const f = compileFeature({ name: 'deep', kind: 'count', type: 'page', where: 'properties.depth > 3' });
    matches(f, { messageId: 'p', type: 'page', name: 'Pricing', properties: { depth: '5' }, context: {}, timestamp: 0, receivedAt: 0 });
    expect(whereErrorsView(f.whereErrors)).toMatchObject({ count: 1, lastEvent: 'page', lastMessage: 'no such overload: dyn<string> > int' });
  });

  it('keeps the first and last times, shown as ISO strings', () => {
    const f = bigOrders();
    matches(f, order({ revenue: '1' }));
    f.whereErrors.firstAt = Date.UTC(2026, 0, 1);
    matches(f, order({ revenue: '2' }));
    const v = whereErrorsView(f.whereErrors)!;
    expect(v.firstAt).toBe('2026-01-01T00:00:00.000Z');
    expect(Date.parse(v.lastAt)).toBeGreaterThan(Date.UTC(2026, 0, 1));
  });

  it('warns once per feature, saying what failed and what to do', () => {
    const warned: { data: object; msg: string }[] = [];
    const report = warnOfWhereErrors((data, msg) => warned.push({ data, msg }));
    const f = bigOrders();
    const fine = compileFeature({ name: 'orders', kind: 'count', event: 'Order Completed' });
    report([f, fine]);
    expect(warned).toEqual([]);
    matches(f, order({ revenue: '120' }));
    report([f, fine]);
    matches(f, order({ revenue: '130' }));
    report([f, fine]);
    // Compiled again (another configuration change), the same definition is not told twice.
    const again = bigOrders();
    matches(again, order({ revenue: '140' }));
    report([again, fine]);
    expect(warned).toHaveLength(1);
    expect(warned[0].data).toMatchObject({ feature: 'big_orders', where: 'properties.revenue > 100', error: 'no such overload: dyn<string> > int', event: 'Order Completed' });
    expect(warned[0].msg).toContain('The feature `big_orders` skips events its `where` (`properties.revenue > 100`) fails on');
    expect(warned[0].msg).toContain('compare it with a string, convert it with double(…), or fix the sender');
  });
});
