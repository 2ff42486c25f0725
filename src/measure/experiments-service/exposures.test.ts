import { describe, expect, it } from 'vitest';
import type { Settings } from '../../config/settings.js';
import type { DecisionRecord } from '../../decide/decision.js';
import type { OutcomeRecord } from '../../decide/records.js';
import type { DecisionPageQuery, MeasureStore } from '../measure-store.js';
import { compileExperiments } from './experiments-kind.js';
import { experimentResults } from './results.js';
import { firstExposedFrom, readExposures } from './exposures.js';

const DAY = 86_400_000;

/** A decision log in (at, id) order, paged as the stores page it, and the subjects' outcomes. */
function store(decisions: { key: string; at: number; arm: string }[], outcomes: { key: string; at: number }[]): MeasureStore {
  const log = decisions.map((d, i) => ({ id: `d${String(i).padStart(4, '0')}`, at: d.at, profileKey: d.key, placement: 'home', arm: 'treatment', experiment: { id: 'x', arm: d.arm } }) as unknown as DecisionRecord);
  log.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return {
    decisionsPage: async (q: DecisionPageQuery) =>
      log.filter((d) => (q.from === undefined || d.at >= q.from) && (q.to === undefined || d.at < q.to) && (!q.after || d.at > q.after.at || (d.at === q.after.at && d.id > q.after.id))).slice(0, q.limit),
    outcomesOfSubjects: async (keys, since) =>
      outcomes.filter((o) => keys.includes(o.key) && o.at >= since).map((o, i) => ({ id: `o${o.key}${i}`, at: o.at, profileKey: o.key, type: 'conversion', value: 1, decisionId: null, action: null, credit: 1, reward: 1, success: true, source: 'api' }) as OutcomeRecord),
    outcomesOfDecisions: async () => [],
  };
}
const groupOf = (d: DecisionRecord) => d.experiment?.arm;

describe('readExposures with a window start', () => {
  it('a subject first exposed before `from` is not a unit of the window: its "pre-period" would hold its own post-exposure outcomes', async () => {
    // CUPED needs a covariate the treatment cannot move (Deng, Xu, Kohavi & Walker, WSDM 2013, §3.3). Subject
    // "old" was exposed in arm B on day 0, bought on day 2 — an outcome of B — and was decided for again on day
    // 10. Read from day 5, it counted as first exposed on day 10 and its day-2 purchase as its pre-period: the
    // arm's effect moved into the covariate, and θ·ΔX took it back out of the estimate. A unit enters at its
    // first exposure in the log; a window keeps the units first exposed inside it.
    const s = store(
      [{ key: 'old', at: 0, arm: 'B' }, { key: 'new', at: 6 * DAY, arm: 'A' }, { key: 'old', at: 10 * DAY, arm: 'B' }, { key: 'new', at: 11 * DAY, arm: 'A' }],
      [{ key: 'old', at: 2 * DAY }],
    );
    const read = firstExposedFrom(await readExposures(s, { from: 5 * DAY, to: 20 * DAY }, groupOf), 5 * DAY);
    expect([...read.exposures.keys()]).toEqual(['new']);
    expect(read.exposures.get('new')).toMatchObject({ arm: 'A', first: 6 * DAY });
    // The decisions in scope: those of the units kept, inside the window.
    expect(read.decisions).toBe(2);
    // Without a window start every subject is a unit, from its first exposure.
    const all = firstExposedFrom(await readExposures(s, { to: 20 * DAY }, groupOf), undefined);
    expect(all.exposures.get('old')).toMatchObject({ arm: 'B', first: 0 });
    expect(all.decisions).toBe(4);
  });

  it('an experiment read from a day counts the subjects first exposed from that day, and no outcome of theirs before it', async () => {
    // Arm B: 12 subjects exposed on day 0 who each bought on day 1, decided for again on day 10; arms A and B:
    // 12 fresh subjects each on day 10 (none bought). From day 5 only the fresh ones are units, 12 against 12, and
    // no pre-period outcome exists. Before, B had 24 units (an SRM: χ² = 4, p = 0.046) and the returning subjects' day-1
    // purchases, bought under B, were the value metric's CUPED pre-period.
    const decisions = [
      ...Array.from({ length: 12 }, (_, i) => [{ key: `o${i}`, at: 0, arm: 'B' }, { key: `o${i}`, at: 10 * DAY, arm: 'B' }]).flat(),
      ...Array.from({ length: 24 }, (_, i) => ({ key: `n${i}`, at: 10 * DAY, arm: i % 2 ? 'B' : 'A' })),
    ];
    const s = store(decisions, Array.from({ length: 12 }, (_, i) => ({ key: `o${i}`, at: DAY })));
    const experiments = compileExperiments({ x: { placement: 'home', arms: [{ id: 'A', weight: 0.5 }, { id: 'B', weight: 0.5 }] } });
    const settings = { get: (k: { kind: string }) => (k.kind === 'experiments' ? experiments : { rewards: { conversion: 1 } }) } as unknown as Settings;
    const r = await experimentResults(s, settings, 'x', { from: 5 * DAY, to: 20 * DAY, effect: 'absolute' });
    expect(r.units).toEqual({ A: 12, B: 12 });
    expect(r.decisions).toBe(24);
    expect(r.readout.metrics.find((m) => m.metric === 'value')!.cuped).toBeNull();
  });
});
