import { describe, expect, it } from 'vitest';
import { IdentityCache } from './identity-cache.js';

const id = (kind: string, value: string) => ({ kind, value });

describe('the identity cache of the embedded store', () => {
  it('finds a profile by any of its identifiers and lists them, kind by kind (the same value under two kinds is two identifiers)', () => {
    const c = new IdentityCache(100);
    c.rememberProfile('p1', [id('userId', 'u1'), id('email', 'ana@example.com')]);
    c.created('p2', [id('anonymousId', 'u1')]);
    expect(c.profileOf('userId', 'u1')).toBe('p1');
    expect(c.profileOf('email', 'ana@example.com')).toBe('p1');
    expect(c.profileOf('anonymousId', 'u1')).toBe('p2');
    expect(c.profileOf('email', 'u1')).toBeUndefined();
    expect(c.identitiesOf('p1')).toEqual([id('userId', 'u1'), id('email', 'ana@example.com')]);
    expect(c.identitiesOf('p3')).toBeUndefined();
    expect([c.knows('p1'), c.knows('p3')]).toEqual([true, false]);
    expect(c.size).toEqual({ profiles: 2, identifiers: 3 });
  });

  it('adds a committed identity only to a profile whose whole list it knows, once', () => {
    const c = new IdentityCache(100);
    c.rememberProfile('p1', [id('userId', 'u1')]);
    c.added('p1', id('email', 'a@x.io'));
    c.added('p1', id('email', 'a@x.io'));
    c.added('p9', id('email', 'b@x.io'));
    expect(c.identitiesOf('p1')).toEqual([id('userId', 'u1'), id('email', 'a@x.io')]);
    expect(c.profileOf('email', 'a@x.io')).toBe('p1');
    expect(c.profileOf('email', 'b@x.io')).toBeUndefined();
  });

  it('moves every identifier of a merged profile to the survivor, or forgets both sides when one is not fully known', () => {
    const c = new IdentityCache(100);
    c.rememberProfile('a', [id('anonymousId', 'anon-1')]);
    c.rememberProfile('b', [id('userId', 'u1'), id('anonymousId', 'anon-2')]);
    c.merged('a', 'b');
    expect(c.profileOf('anonymousId', 'anon-1')).toBe('b');
    expect(c.identitiesOf('a')).toBeUndefined();
    expect(c.identitiesOf('b')).toEqual([id('userId', 'u1'), id('anonymousId', 'anon-2'), id('anonymousId', 'anon-1')]);
    expect(c.size).toEqual({ profiles: 1, identifiers: 3 });

    c.rememberProfile('c', [id('userId', 'u3')]);
    c.merged('c', 'unknown');
    expect(c.profileOf('userId', 'u3')).toBeUndefined();
    expect(c.size).toEqual({ profiles: 1, identifiers: 3 });
  });

  it('stays bounded: past its capacity the oldest profiles go, with their identifiers', () => {
    const c = new IdentityCache(10);
    for (let i = 0; i < 11; i++) c.rememberProfile(`p${i}`, [id('userId', `u${i}`)]);
    expect(c.size.profiles).toBeLessThanOrEqual(5);
    expect(c.size.identifiers).toBe(c.size.profiles);
    expect(c.profileOf('userId', 'u0')).toBeUndefined();
    expect(c.profileOf('userId', 'u10')).toBe('p10');
    c.clear();
    expect(c.size).toEqual({ profiles: 0, identifiers: 0 });
  });
});
