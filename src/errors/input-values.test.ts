import { describe, expect, it } from 'vitest';
import { hasLoneSurrogate, nonFinitePath, nulPath, nulProblem, tooDeepPath, wellFormed } from './input-values.js';

describe('values no store keeps the same: NUL, half characters, infinities', () => {
  it('finds the first string or key holding U+0000 and names its path', () => {
    expect(nulPath({ properties: { note: 'a\u0000b' } })).toBe('properties.note');
    expect(nulPath({ batch: [{ ok: 'x' }, { tags: ['y', '\u0000'] }] })).toBe('batch[1].tags[1]');
    expect(nulPath({ traits: { 'bad\u0000key': 1 } })).toBe('traits.bad\\u0000key');
    expect(nulPath('\u0000')).toBe('(value)');
  });

  it('passes text without it, including a written-out backslash-u0000', () => {
    expect(nulPath({ a: 'plain', b: ['\\u0000 as six characters'], c: 1, d: null, e: { f: true } })).toBeUndefined();
  });

  it('says which field and what to do', () => {
    expect(nulProblem('properties.note')).toEqual({ field: 'properties.note', message: 'The `properties.note` contains a NUL character (\\u0000), which Tact does not store; remove it or replace it.' });
  });

  it('tells half characters from whole ones and replaces only the halves', () => {
    expect(['\ud83d', 'a\ude00', '\udfff\ud800'].map(hasLoneSurrogate)).toEqual([true, true, true]);
    expect(['😀', 'plain', ''].map(hasLoneSurrogate)).toEqual([false, false, false]);
    const v = { a: ['x\ud800', '😀'], ['k\udc00']: { b: 1 } };
    expect(wellFormed(v)).toEqual({ a: ['x\ufffd', '😀'], ['k\ufffd']: { b: 1 } });
    const same = { a: 'fine' };
    expect(wellFormed(same)).toEqual(same);
  });

  it('finds numbers that are not finite and names their path', () => {
    expect(nonFinitePath({ a: [1, { b: Infinity }] })).toBe('a[1].b');
    expect(nonFinitePath({ limit: -Infinity })).toBe('limit');
    expect(nonFinitePath({ a: 1e308, b: [0, -0], c: 'Infinity' })).toBeUndefined();
  });

  it('finds where a value nests past a depth', () => {
    expect(tooDeepPath({ a: [[[]]] }, 2)).toBe('a[0]');
    expect(tooDeepPath({ a: [[[]]] }, 4)).toBeUndefined();
    expect(tooDeepPath('text', 0)).toBeUndefined();
  });
});
