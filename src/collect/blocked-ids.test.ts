import { describe, expect, it } from 'vitest';
import { BlockedIds } from './blocked-ids.js';

describe('the window of blocked message ids', () => {
  it('forgets the oldest id first once full, and an id forgotten on purpose', () => {
    const ids = new BlockedIds(3);
    for (const id of ['a', 'b', 'c', 'a']) ids.add(id);
    expect(ids.size).toBe(3);
    ids.add('d');
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
    ids.delete('c');
    expect(ids.has('c')).toBe(false);
    expect(ids.size).toBe(2);
    const none = new BlockedIds(0);
    none.add('a');
    expect(none.has('a')).toBe(false);
  });
});
