import type { Settings } from '../../config/settings.js';
import type { Estimate } from '../../learn/estimate.js';
import type { RateCounts } from '../../learn/rates/beta-binomial.js';
import type { TrialState } from '../../learn/rates/rate-trials.js';
import type { ProfileState } from '../../profiles/profile-state.js';
import type { LadderPosition, SegmentLookup } from '../../segments/segment-lookup.js';
import type { Store } from '../../store/store.js';
import { type MetricPool, baselineDetail, baselineNow } from '../baselines/baseline-reader.js';
import type { BaselinesState } from '../baselines/baselines-trainer.js';
import { metricsKind } from '../baselines/metrics-kind.js';
import { type RatesModelState, type TimedRow, groupKeys, ladderFor, rateNow } from '../rates/rate-model.js';
import { countedUnder } from '../rates/rate-rows.js';
import { type CompiledRate, ratesKind } from '../rates/rates-kind.js';
import type { ModelRegistry } from '../registry/registry.js';
import { type SendTimeModelState, type SlotCounts, sendTimeNow, sendTimePrior } from '../send-time/send-time-model.js';
import { sendTimeKind } from '../send-time/send-time-kind.js';
import type { StoredEstimate } from './estimate-store.js';
import { combinedRows } from './merged-rows.js';

/**
 * One inferred number about a subject: which model and key, the Estimate, and what else the
 * model says (the slot of a send time, the rungs of a rate).
 *
 * @example
 * { model: 'send-time', key: '', estimate: { value: 0.04, source: 'population', status: 'learning', … }, detail: { slot: 34, label: 'Tuesday 10:00 (local time)' } }
 */
export interface SubjectEstimate {
  model: 'baseline' | 'send-time' | 'rate';
  key: string;
  estimate: Estimate;
  description?: string;
  detail?: Record<string, unknown>;
}

/**
 * Reads a subject's estimates now, from the stored model states and the live trained models:
 * every configured metric, rate and the send time — including the ones the subject has no data
 * for yet, answered from the population with status "learning".
 *
 * @example
 * const list = await estimates.forSubject(state, Date.now());
 * const open = await estimates.rate(state, 'email_open', Date.now());
 */
export class SubjectEstimates {
  constructor(private readonly store: Store, private readonly settings: Settings, private readonly registry: ModelRegistry, private readonly lookup: SegmentLookup) {}

  /** Every estimate of the subject (stored rows read once). */
  async forSubject(state: ProfileState, now: number, position?: LadderPosition): Promise<SubjectEstimate[]> {
    const rows = await combinedRows(this.store, state.id);
    const out: SubjectEstimate[] = [];
    const metrics = this.settings.get(metricsKind);
    if (metrics.length) {
      const pools = await this.pools();
      for (const m of metrics) {
        const row = rows.get(`baseline:${m.def.name}`);
        // The subject's own readings, whatever the interval rests on (its `evidence`).
        out.push({ model: 'baseline', key: m.def.name, description: m.def.description, estimate: baselineNow(row, m, state.timezone, now, pools.get(m.def.name)), detail: baselineDetail(row, state.timezone) });
      }
    }
    const st = this.settings.get(sendTimeKind);
    if (st.configured) {
      const { estimate, detail } = sendTimeNow(rows.get('send-time:') as TimedRow<SlotCounts> | undefined, sendTimePrior(await this.registry.live<SendTimeModelState>('send-time')), st, now, state.timezone);
      out.push({ model: 'send-time', key: '', estimate, detail });
    }
    const rates = this.settings.get(ratesKind);
    if (rates.length) {
      const pos = position ?? (await this.lookup.position(state, now));
      for (const r of rates) out.push(await this.rateWith(r, rows.get(`rate:${r.def.name}`), pos, now));
    }
    return out;
  }

  /** Every configured rate of the subject at its ladder position (the decision pipeline's rules read them). */
  async rates(state: ProfileState, now: number, position: LadderPosition, merged?: readonly string[]): Promise<SubjectEstimate[]> {
    const rates = this.settings.get(ratesKind);
    if (!rates.length) return [];
    const rows = await combinedRows(this.store, state.id, rates.map((r) => ({ model: 'rate', key: r.def.name })), merged);
    return Promise.all(rates.map((r) => this.rateWith(r, rows.get(`rate:${r.def.name}`), position, now)));
  }

  /** One rate of the subject (undefined when no such rate is configured). */
  async rate(state: ProfileState, name: string, now: number): Promise<SubjectEstimate | undefined> {
    const r = this.settings.get(ratesKind).find((x) => x.def.name === name);
    if (!r) return undefined;
    const row = (await combinedRows(this.store, state.id, [{ model: 'rate', key: name }])).get(`rate:${name}`);
    return this.rateWith(r, row, await this.lookup.position(state, now), now);
  }

  private async rateWith(r: CompiledRate, stored: StoredEstimate | undefined, pos: LadderPosition, now: number): Promise<SubjectEstimate> {
    const keys = groupKeys(pos);
    const ids = [keys.population, keys.segment, keys.micro].filter((k): k is string => !!k);
    // Rows counted under an earlier definition of the rate (redefined under its name) read as empty until counted again.
    const groups = new Map((await this.store.estimates.getMany(ids.map((subjectId) => ({ subjectId, model: 'rate', key: r.def.name })))).filter((g) => countedUnder(g, r)).map((g) => [g.subjectId, g as TimedRow<RateCounts>]));
    const row = stored && countedUnder(stored, r) ? stored : undefined;
    const live = await this.registry.live<RatesModelState>('rates');
    const { estimate, details } = rateNow(ladderFor(r, live), r, row as TimedRow<TrialState> | undefined, (k) => groups.get(k), keys, now, live?.dataTo);
    const rungs = details.map((d) => ({ rung: d.rung, trials: d.trials, rate: d.posterior.alpha / (d.posterior.alpha + d.posterior.beta), dataWeight: d.dataWeight, earned: d.earned }));
    return { model: 'rate', key: r.def.name, description: r.def.description, estimate, detail: { rungs, segment: pos.segment, microSegment: pos.microSegment?.index ?? null } };
  }

  private async pools(): Promise<Map<string, MetricPool>> {
    const live = await this.registry.live<BaselinesState>('baselines');
    const out = new Map<string, MetricPool>();
    if (live) for (const [name, pool] of Object.entries(live.state.pools)) out.set(name, { pool, modelVersion: `baselines@${live.version}`, dataTo: live.dataTo });
    return out;
  }
}
