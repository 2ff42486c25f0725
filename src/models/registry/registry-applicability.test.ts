import { describe, expect, it } from 'vitest';
import { MemoryModelStore } from './memory-model-store.js';
import { ModelRegistry } from './registry.js';

describe('model registry: a version made live that cannot be applied', () => {
  it('goes live by promotion or rollback all the same, the answer warning why; one that can, or of a model with no check, without a word', async () => {
    const registry = new ModelRegistry(new MemoryModelStore(), { ttlMs: 0 });
    for (let n = 1; n <= 3; n++) await registry.register('m', { state: { n }, metrics: {}, dataFrom: null, dataTo: n }, 'test');
    await registry.register('other', { state: { n: 1 }, metrics: {}, dataFrom: null, dataTo: 1 }, 'test');
    registry.setApplicability('m', (v) => ((v.state as { n: number }).n === 1 ? 'its features were redefined' : null));
    const first = await registry.promote('m', 1, { actor: 'a' });
    expect(first).toMatchObject({ promoted: true, warnings: [{ version: 1, message: 'Version 1 of m is live but cannot be applied: its features were redefined' }] });
    const second = await registry.promote('m', 2, { actor: 'a', force: true, reason: 'r' });
    expect(second).toMatchObject({ promoted: true });
    expect(second).not.toHaveProperty('warnings');
    // Until 2026-12-05: `{ name, version: 1, from: 2 }`, and nothing said version 1 places no one.
    expect(await registry.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 1, from: 2, warnings: [{ version: 1, message: expect.stringContaining('cannot be applied: its features were redefined') }] });
    expect(await registry.promote('m', 1, { actor: 'a' })).toMatchObject({ reason: 'version 1 is already live', warnings: [{ version: 1 }] });
    // A refusal makes nothing live: nothing to warn of.
    expect(await registry.promote('m', 3, { actor: 'a' })).not.toHaveProperty('warnings');
    expect(await registry.promote('other', 1, { actor: 'a' })).not.toHaveProperty('warnings');
  });
});
