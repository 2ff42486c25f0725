/**
 * `target` behind a proxy that counts each method's calls by name: a test of how many reads a
 * piece of work makes (one batched read instead of one per subject) counts them.
 *
 * @example
 * const { profiles, calls } = countedCalls(store.profiles);
 * await subjectMoves(profiles, keys); expect(calls.getProfile).toBeUndefined();
 */
export function countedCalls<T extends object>(target: T): { profiles: T; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(target, {
    get(t, name, receiver) {
      const v = Reflect.get(t, name, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls[String(name)] = (calls[String(name)] ?? 0) + 1;
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
  return { profiles: proxy, calls };
}
