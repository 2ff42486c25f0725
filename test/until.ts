import { expect } from 'vitest';

/**
 * Waits until `ok` holds, checking every 10 ms for at most 5 s, then asserts it: a test waits for
 * what it needs to have happened, not for a time a slow machine could overrun.
 *
 * @example
 * await until(() => counter.resolved >= 3);
 */
export async function until(ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await ok()).toBe(true);
}
