import { describe, expect, it } from 'vitest';
import { get, harness, send } from '../../test/harness.js';
import { Metrics } from './metrics.js';
import { timeStoreOperations } from './store-timings.js';

describe('store timings', () => {
  it('time every asynchronous store operation by capability and method, in /metrics', async () => {
    const h = await harness('sqlite');
    await send(h.app, '/v1/track', { userId: 'u1', event: 'Signed Up' });
    expect((await get(h.app, '/v1/profiles/u1')).statusCode).toBe(200);
    const text = (await h.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/tact_store_operation_duration_seconds_count\{operation="keys\.findByHash"\} [1-9]/);
    expect(text).toMatch(/tact_store_operation_duration_seconds_count\{operation="documents\.[A-Za-z]+"\} [1-9]/);
    await h.close();
  });

  it('time the operations of every capability the store has (the measure store\'s reads of the decision log too)', async () => {
    const h = await harness('sqlite');
    try {
      await h.store.measure.outcomesOfDecisions(['d-1']);
      const text = (await h.app.inject({ url: '/metrics' })).body;
      expect(text).toMatch(/tact_store_operation_duration_seconds_count\{operation="measure\.outcomesOfDecisions"\} 1/);
      // Every capability store the Store holds is timed (an object whose class has methods).
      const capabilities = Object.entries(h.store).filter(([, v]) => v && typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && typeof Object.getPrototypeOf(v).constructor === 'function' && /Store$/.test(Object.getPrototypeOf(v).constructor.name));
      expect(capabilities.map(([k]) => k)).toContain('measure');
      for (const [name, v] of capabilities) expect(Object.getOwnPropertySymbols(v).map(String), name).toContain('Symbol(tact.storeTimings)');
    } finally {
      await h.close();
    }
  });

  it('instrument a store once; a second Tact on it only points the timings at its own metrics', async () => {
    const h = await harness('sqlite');
    const before = h.store.keys.list;
    const other = new Metrics();
    timeStoreOperations(h.store, other);
    expect(h.store.keys.list).toBe(before);
    await h.store.keys.list();
    expect(await other.registry.getSingleMetricAsString('tact_store_operation_duration_seconds')).toMatch(/_count\{operation="keys\.list"\} 1/);
    await h.close();
  });
});
