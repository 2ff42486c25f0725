import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

const SINK = Symbol('tact.storeTimings');

interface Sink {
  metrics: Metrics;
}

/** The capability stores whose asynchronous operations are timed. */
const CAPABILITIES = ['collect', 'profiles', 'documents', 'keys', 'estimates', 'segments', 'models', 'decisions', 'monitors', 'measure'] as const satisfies readonly (keyof Store)[];

/**
 * Times every asynchronous operation of the store's capability stores into
 * `tact_store_operation_duration_seconds{operation="<capability>.<method>"}` (e.g.
 * `decisions.appendDecision`, `profiles.getProfile`). Synchronous methods and getters are left
 * alone. Instrumenting the same store again (a restart in one process) only points it at the
 * new metrics.
 *
 * @example
 * timeStoreOperations(store, metrics); await store.decisions.getDecision('d1'); // observed
 */
export function timeStoreOperations(store: Store, metrics: Metrics): void {
  for (const capability of CAPABILITIES) {
    const target = (store as unknown as Record<string, unknown>)[capability] as (Record<PropertyKey, unknown> & { [SINK]?: Sink }) | undefined;
    if (!target || typeof target !== 'object') continue;
    if (target[SINK]) {
      target[SINK].metrics = metrics;
      continue;
    }
    const sink: Sink = { metrics };
    Object.defineProperty(target, SINK, { value: sink, enumerable: false });
    for (const name of methodNames(target)) {
      const original = target[name] as (...args: unknown[]) => unknown;
      const operation = `${capability}.${name}`;
      Object.defineProperty(target, name, {
        configurable: true,
        writable: true,
        enumerable: false,
        value: function timed(this: unknown, ...args: unknown[]) {
          const started = performance.now();
          const result = original.apply(this, args);
          if (result instanceof Promise) {
            const observe = () => sink.metrics.storeOperation.observe({ operation }, (performance.now() - started) / 1000);
            result.then(observe, observe);
          }
          return result;
        },
      });
    }
  }
}

/** Method names of a store object's class and its ancestors (not its constructor, not getters). */
function methodNames(obj: object): string[] {
  const names = new Set<string>();
  // Methods of the class (own properties are callbacks the store's owner sets, e.g. afterIngest).
  for (let p: object | null = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || names.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d && typeof d.value === 'function') names.add(name);
    }
  }
  return [...names];
}
