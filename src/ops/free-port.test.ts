import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';

describe('freePort', () => {
  it('gives a port below the ephemeral range that a server can then listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const s = createServer();
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    await new Promise((r) => s.close(r));
  });

  it('never gives a port something listens on', async () => {
    const busy = await freePort();
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(busy, '127.0.0.1', () => resolve()));
    try {
      await expect(freePort(busy, busy + 1)).rejects.toThrow(`No free port between ${busy} and ${busy + 1}`);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});
