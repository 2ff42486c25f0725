import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTwoStores } from '../../test/harness.js';
import { Keys } from './keys.js';

/**
 * A key revoked by one process (a second server on the same PostgreSQL, or `tact keys revoke`
 * beside the server on SQLite) stops working in another once that one's cache time has passed.
 */
describe.each(['sqlite', 'postgres'] as const)('keys shared by two processes on %s', (kind) => {
  afterEach(() => vi.useRealTimers());

  it('stops a key revoked elsewhere within the cache time, and a new key works at once', async () => {
    const { stores: [a, b], cleanup } = await openTwoStores(kind);
    try {
      vi.useFakeTimers({ now: 2_000_000, toFake: ['Date'] });
      const here = new Keys(a.keys, 5000);
      const elsewhere = new Keys(b.keys, 5000);
      const { key, secret } = await here.create('server', 'shop');
      expect(await elsewhere.authenticate(secret)).toMatchObject({ id: key.id }); // made here, known there at once
      expect(await here.revoke(key.id)).toBe(true);
      expect(await here.authenticate(secret)).toBeUndefined();
      vi.setSystemTime(2_000_000 + 4999);
      expect(await elsewhere.authenticate(secret)).toBeDefined(); // its cached answer
      vi.setSystemTime(2_000_000 + 5000);
      expect(await elsewhere.authenticate(secret)).toBeUndefined();
    } finally {
      await cleanup();
    }
  });
});
