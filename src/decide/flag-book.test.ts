import { describe, expect, it } from 'vitest';
import { FlagBook } from './flag-book.js';
import type { Flag } from './records.js';

const flag = (id: string, kind: 'profile' | 'account', target: string, clearedAt: number | null = null): Flag =>
  ({ id, target: { kind, id: target }, name: 'pause', note: 'n', until: null, createdAt: 0, author: 'ops', clearedAt }) as Flag;

describe('the flag book', () => {
  it('knows whether any profile or account flag is open, as flags are put, replaced and cleared', () => {
    const book = new FlagBook();
    expect([book.hasProfileFlags, book.hasAccountFlags]).toEqual([false, false]);
    book.put(flag('f1', 'account', 'acme'));
    book.put(flag('f2', 'account', 'acme'));
    expect([book.hasProfileFlags, book.hasAccountFlags]).toEqual([false, true]);
    book.put(flag('f1', 'account', 'acme', 5));
    expect(book.hasAccountFlags).toBe(true);
    book.put(flag('f2', 'account', 'acme', 5));
    expect(book.hasAccountFlags).toBe(false);
    book.put(flag('f3', 'profile', 'p1'));
    book.put(flag('f3', 'profile', 'p1'));
    expect([book.hasProfileFlags, book.hasAccountFlags]).toEqual([true, false]);
    book.load([flag('f4', 'account', 'globex')]);
    expect([book.hasProfileFlags, book.hasAccountFlags]).toEqual([false, true]);
  });
});
