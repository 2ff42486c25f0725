import { describe, expect, it } from 'vitest';
import { TactError } from '../../errors/tact-error.js';
import { MemoryModelStore } from './memory-model-store.js';
import { ModelRegistry } from './registry.js';

const trained = (n: number) => ({ state: { n }, metrics: { n }, dataFrom: null, dataTo: n });

async function registryWith(versions: number, opts: ConstructorParameters<typeof ModelRegistry>[1] = {}) {
  const store = new MemoryModelStore();
  const registry = new ModelRegistry(store, { ttlMs: 0, ...opts });
  for (let v = 1; v <= versions; v++) await registry.register('m', trained(v), 'test');
  return { store, registry };
}

describe('model registry: promotion rules', () => {
  it('promotes the first version, then refuses a later one without a comparison and records the refusal', async () => {
    const { store, registry } = await registryWith(2);
    expect(await registry.promote('m', 1, { actor: 'a' })).toMatchObject({ promoted: true, previous: null, reason: expect.stringContaining('first version') });
    const refused = await registry.promote('m', 2, { actor: 'a' });
    expect(refused).toMatchObject({ promoted: false, previous: 1, reason: 'no comparison with live version 1 is available for m' });
    expect((await registry.live<{ n: number }>('m'))?.state).toEqual({ n: 1 });
    expect((await store.events('m', 10)).map((e) => e.action)).toEqual(['refused', 'promoted', 'trained', 'trained']);
  });

  it('lets a plugged-in comparison decide, and keeps its figures with the decision', async () => {
    const { store, registry } = await registryWith(3);
    await registry.promote('m', 1, { actor: 'a' });
    registry.setComparator('m', async (candidate, live) => ({ better: (candidate.state as { n: number }).n === 3, summary: `${candidate.version} vs ${live.version}`, figures: { ips: 0.1 } }));
    expect(await registry.promote('m', 2, { actor: 'a' })).toMatchObject({ promoted: false, comparison: { better: false, summary: '2 vs 1' } });
    expect(await registry.promote('m', 3, { actor: 'a' })).toMatchObject({ promoted: true, reason: expect.stringContaining('lets it go live: 3 vs 1') });
    expect((await store.events('m', 1))[0]).toMatchObject({ action: 'promoted', comparison: { figures: { ips: 0.1 } } });
  });

  it('records what a comparison found: one that lets the candidate through without saying `better` reads `not worse`', async () => {
    const { store, registry } = await registryWith(5);
    await registry.promote('m', 1, { actor: 'a' });
    const said = new Map<number, object>([[2, { better: true }], [3, { better: true, verdict: 'better' }], [4, { better: false, figures: { tie: true } }], [5, { better: false }]]);
    registry.setComparator('m', async (candidate) => ({ summary: 's', ...said.get(candidate.version) }) as never);
    expect((await registry.promote('m', 2, { actor: 'a' })).comparison).toMatchObject({ better: true, verdict: 'not worse' });
    expect((await registry.promote('m', 3, { actor: 'a' })).comparison).toMatchObject({ better: true, verdict: 'better' });
    expect((await registry.promote('m', 4, { actor: 'a' })).comparison).toMatchObject({ better: false, verdict: 'no difference' });
    expect((await registry.promote('m', 5, { actor: 'a' })).comparison).toMatchObject({ better: false, verdict: 'worse' });
    expect((await store.events('m', 10)).filter((e) => e.action !== 'trained').map((e) => (e.comparison as { verdict?: string } | null)?.verdict ?? null)).toEqual(['worse', 'no difference', 'better', 'not worse', null]);
  });

  it('promotes without a comparison when the operator allows it (training.autoPromote) or forces it with a reason', async () => {
    const allowed = new Set<string>();
    const { registry } = await registryWith(3, { autoPromote: () => allowed });
    await registry.promote('m', 1, { actor: 'a' });
    expect((await registry.promote('m', 2, { actor: 'a' })).promoted).toBe(false);
    allowed.add('m');
    expect(await registry.promote('m', 2, { actor: 'a' })).toMatchObject({ promoted: true, reason: expect.stringContaining('autoPromote') });
    allowed.clear();
    expect(await registry.promote('m', 3, { actor: 'ana', force: true, reason: 'checked by hand' })).toMatchObject({ promoted: true, reason: 'forced by ana: checked by hand' });
  });

  it('with training.autoPromote, an inconclusive comparison lets the version go live, a comparison that says worse does not', async () => {
    const { registry } = await registryWith(3, { autoPromote: () => new Set(['m']) });
    await registry.promote('m', 1, { actor: 'a' });
    registry.setComparator('m', async (candidate) => ((candidate.state as { n: number }).n === 2 ? { better: false, summary: 'worse', figures: {} } : { better: false, inconclusive: true, summary: 'too few', figures: {} }));
    expect(await registry.promote('m', 2, { actor: 'a' })).toMatchObject({ promoted: false, reason: 'the comparison with version 1 does not favour it: worse' });
    expect(await registry.promote('m', 3, { actor: 'a' })).toMatchObject({ promoted: true, reason: 'the comparison with version 1 is inconclusive (too few); training.autoPromote lets m go live' });
  });

  it('rolls back to the version live before the current one was promoted, down to the first', async () => {
    const { registry } = await registryWith(3);
    for (const v of [1, 2, 3]) await registry.promote('m', v, { actor: 'a', force: true, reason: 'r' });
    expect(await registry.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 2, from: 3 });
    expect(await registry.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 1, from: 2 });
    await expect(registry.rollback('m', { actor: 'a' })).rejects.toMatchObject({ code: 'rollback_unavailable' });
    expect((await registry.live('m'))?.version).toBe(1);
  });

  it('says an inconclusive comparison that refuses the candidate is inconclusive, not that it found against it', async () => {
    const { store, registry } = await registryWith(2);
    await registry.promote('m', 1, { actor: 'a' });
    registry.setComparator('m', async () => ({ better: false, inconclusive: true, summary: 'only 3 held-out subjects', figures: { heldOut: 3 } }));
    const refused = await registry.promote('m', 2, { actor: 'a' });
    expect(refused).toMatchObject({ promoted: false, reason: 'the comparison with version 1 is inconclusive (too little evidence to say either way), so it does not favour it: only 3 held-out subjects' });
    expect((await store.events('m', 1))[0]).toMatchObject({ action: 'refused', reason: refused.reason, comparison: { inconclusive: true, figures: { heldOut: 3 } } });
  });

  it('rolls back to the version live before, however many trainings and refusals were recorded since it went live', async () => {
    const { store, registry } = await registryWith(2);
    await registry.promote('m', 1, { actor: 'a' });
    await registry.promote('m', 2, { actor: 'a', force: true, reason: 'r' });
    // An hourly schedule records a training and a refusal each hour: 1,200 events is under a month.
    for (let i = 0; i < 600; i++) {
      await store.recordEvent({ name: 'm', version: 3 + i, action: 'trained', reason: 'trained', actor: 'schedule', at: Date.now(), comparison: null, previous: null });
      await store.recordEvent({ name: 'm', version: 3 + i, action: 'refused', reason: 'worse', actor: 'schedule', at: Date.now(), comparison: null, previous: 2 });
    }
    expect(await registry.rollback('m', { actor: 'a' })).toEqual({ name: 'm', version: 1, from: 2 });
  });

  it('refuses to promote a version that does not exist (404)', async () => {
    const { registry } = await registryWith(1);
    const err = await registry.promote('m', 9, { actor: 'a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TactError);
    expect((err as TactError).statusCode).toBe(404);
  });
});

describe('model registry: its cache of the live version', () => {
  /** A store whose setLive and live() calls wait at `gate` (once `armed`), as a slow write and a slow read would. */
  function slowStore() {
    const store = new MemoryModelStore();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow = Object.create(store) as MemoryModelStore & { armed: boolean; open: () => void; writing: Promise<void> };
    let began!: () => void;
    slow.writing = new Promise<void>((r) => (began = r));
    slow.armed = false;
    slow.open = open;
    slow.setLive = async (...args) => {
      if (slow.armed) (began(), await gate);
      return store.setLive(...args);
    };
    return slow;
  }

  for (const how of ['promote', 'rollback'] as const) {
    it(`answers the new live version at once after a ${how}, even when a read of the old one was cached while it was written`, async () => {
      const store = slowStore();
      // A cache that holds for a minute: a stale entry would outlive the test.
      const registry = new ModelRegistry(store, { ttlMs: 60_000 });
      for (const n of [1, 2]) await registry.register('m', trained(n), 'test');
      await registry.promote('m', 1, { actor: 'a' });
      if (how === 'rollback') await registry.promote('m', 2, { actor: 'a', force: true, reason: 'r' });
      store.armed = true;
      const change = how === 'promote' ? registry.promote('m', 2, { actor: 'a', force: true, reason: 'r' }) : registry.rollback('m', { actor: 'a' });
      await store.writing;
      // A decision reads the live version while the change is being written: the old one, then.
      expect((await registry.live<{ n: number }>('m'))?.version).toBe(how === 'promote' ? 1 : 2);
      store.open();
      await change;
      expect((await registry.live<{ n: number }>('m'))?.version).toBe(how === 'promote' ? 2 : 1);
    });
  }

  it('does not keep a read that began before a promotion and ended after it', async () => {
    const inner = new MemoryModelStore();
    const registry = new ModelRegistry(inner, { ttlMs: 60_000 });
    for (const n of [1, 2]) await registry.register('m', trained(n), 'test');
    await registry.promote('m', 1, { actor: 'a' });
    // The read of the live row answers version 1, then the version's state is slow to come back.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const getVersion = inner.getVersion.bind(inner);
    let slowNext = true;
    inner.getVersion = async (name, v) => {
      if (slowNext && v === 1) (slowNext = false, await held);
      return getVersion(name, v);
    };
    const reading = registry.live('m');
    await new Promise((r) => setImmediate(r));
    await registry.promote('m', 2, { actor: 'a', force: true, reason: 'r' });
    release();
    expect((await reading)?.version).toBe(1);
    expect((await registry.live('m'))?.version).toBe(2);
  });
});
