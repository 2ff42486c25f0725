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
