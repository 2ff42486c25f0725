import { describe, expect, it } from 'vitest';
import { andList } from './words.js';

describe('andList', () => {
  it('lists none, one, two and more names as a sentence does', () => {
    expect(andList([])).toBe('');
    expect(andList(['a'])).toBe('a');
    expect(andList(['a', 'b'])).toBe('a and b');
    expect(andList(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
