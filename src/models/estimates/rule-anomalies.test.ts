import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../../test/harness.js';
import type { Settings } from '../../config/settings.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { LadderPosition } from '../../segments/segment-lookup.js';
import type { Store } from '../../store/store.js';
import { metricsKind } from '../baselines/metrics-kind.js';
import { ruleInferences } from './rule-estimates.js';
import type { SubjectEstimates } from './subject-estimates.js';

const DAY = 86_400_000;
const metrics = metricsKind.compile([{ name: 'spend', event: 'Order Completed', property: 'revenue' }]);
const settings = { get: () => metrics } as unknown as Settings;
const estimates = { rates: async () => [] } as unknown as SubjectEstimates;
const state = { id: 'p_1' } as ProfileState;
const pos = { segment: null, microSegment: null, segments: [] } as unknown as LadderPosition;

describe('anomalies.<metric> in rules', () => {
  let done: (() => Promise<void>) | undefined;
  afterEach(async () => done?.());

  it.each(['sqlite', 'postgres'] as const)('is true for a flagged latest reading, and false once the baseline is stale (30 days without readings) (%s)', async (kind) => {
    const opened = await openTestStore(kind);
    done = opened.cleanup;
    const store: Store = opened.store;
    const at = Date.parse('2026-03-01T12:00:00Z');
    const row = { subjectId: 'p_1', model: 'baseline', key: 'spend', estimate: null, state: {}, modelVersion: 'baseline@1', seq: 41, updatedAt: at };
    await store.estimates.write({ estimates: [row], anomalies: [{ subjectId: 'p_1', metric: 'spend', seq: 41, at, value: 900, low: 10, high: 80, level: 0.98, modelVersion: 'baseline@1', recordedAt: at }] });
    const read = async (now: number) => (await ruleInferences({ store, settings, estimates }, state, pos, now)).anomalies.spend;
    expect(await read(at + DAY)).toBe(true);
    expect(await read(at + 30 * DAY - 1)).toBe(true);
    // 30 days after the flagged reading, with none since: the baseline is stale and raises no flag.
    expect(await read(at + 30 * DAY)).toBe(false);
  });
});
