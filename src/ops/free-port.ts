import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on now, below Linux's ephemeral range (32768 and
 * up): the kernel hands those to outgoing connections (database clients, fetch), so a port picked
 * there at random can be taken by the time a child process binds it. Tests and benchmarks start
 * servers on it.
 *
 * @example
 * const port = await freePort(); // e.g. 24711
 */
export async function freePort(from = 20_000, to = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`No free port between ${from} and ${to} after 50 tries.`);
}
