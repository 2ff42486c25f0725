/**
 * Turns of the event loop (a `setImmediate` chain) taken while `run` runs: 0 when it holds the
 * thread until it ends. Tests of work that must leave the server answering (sliced loops, paged
 * reads, comparisons in a worker) count them.
 *
 * @example
 * const { result, turns } = await turnsDuring(() => compareOnPointsSliced(key, points, score, now));
 * expect(turns).toBeGreaterThan(100);
 */
export async function turnsDuring<T>(run: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await run(), turns };
  } finally {
    done = true;
  }
}

/**
 * The longest gap between two ticks of a 5 ms timer while `run` runs, and how long it ran (ms):
 * what a request arriving meanwhile could have waited at worst.
 *
 * @example
 * const { stall, took } = await longestStall(() => learning.train(['rates']));
 * expect(stall).toBeLessThan(Math.max(250, took / 4));
 */
export async function longestStall<T>(run: () => Promise<T>): Promise<{ stall: number; took: number; result: T }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    stall = Math.max(stall, t - last);
    last = t;
  }, 5);
  const started = performance.now();
  try {
    const result = await run();
    const took = performance.now() - started;
    stall = Math.max(stall, performance.now() - last);
    return { stall, took, result };
  } finally {
    clearInterval(timer);
  }
}
