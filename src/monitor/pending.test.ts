import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../measure/monitors/counters.js';
import { PendingEvents } from './pending.js';

const ev = (at: number, action: string, predicted?: number, type: MonitorEvent['type'] = 'exposure'): MonitorEvent =>
  predicted === undefined ? { at, type, action, placement: 'home', segment: 'all' } : { at, type, action, placement: 'home', segment: 'all', predicted };

describe('PendingEvents', () => {
  it('gives back every event as it was pushed, in order, and is empty after', () => {
    const p = new PendingEvents();
    const events = [ev(1, 'a', 0.25), ev(2, 'b'), ev(3, 'a', 0), ev(4, 'a', undefined, 'response'), ev(5, 'b', 1e-9, 'negative')];
    for (const e of events) p.push(e);
    expect(p.length).toBe(5);
    const out = p.take();
    expect(out).toEqual(events);
    expect('predicted' in out[1]).toBe(false);
    expect(p.length).toBe(0);
    expect(p.take()).toEqual([]);
  });

  it('puts a failed step’s events back in front of those that came since', () => {
    const p = new PendingEvents();
    p.push(ev(1, 'a'));
    p.push(ev(2, 'b', 0.5));
    const taken = p.take();
    p.push(ev(3, 'c'));
    p.putBack(taken);
    expect(p.take().map((e) => e.at)).toEqual([1, 2, 3]);
  });

  it('drops the oldest beyond the bound and says how many', () => {
    const p = new PendingEvents();
    for (let i = 0; i < 10; i++) p.push(ev(i, i % 2 ? 'a' : 'b', i / 10));
    expect(p.bound(20)).toBe(0);
    expect(p.bound(4)).toBe(6);
    expect(p.take()).toEqual([6, 7, 8, 9].map((i) => ev(i, i % 2 ? 'a' : 'b', i / 10)));
  });
});
