import { keyId, type MonitorKey } from '../measure/monitors/counters.js';
import type { MonitorMetric } from '../measure/monitors/monitor.js';

/** A decision (and the outcome, for responses and negatives) behind a monitor event. */
export interface ExampleRef {
  decisionId: string;
  outcomeId?: string;
}

type Kind = 'exposure' | 'response' | 'negative';

/**
 * The last few decisions and outcomes behind each key, so an alert can link to examples
 * without searching the log. Bounded: `perKind` refs per key and kind, `maxKeys` keys.
 *
 * @example
 * const ex = new RecentExamples(); ex.add(key, 'negative', { decisionId: 'd1', outcomeId: 'o1' });
 * ex.forAlert(key, 'negative-rate', 'high') // { decisions: ['d1'], outcomes: ['o1'] }
 */
export class RecentExamples {
  private readonly byKey = new Map<string, Record<Kind, ExampleRef[]>>();

  constructor(private readonly perKind = 5, private readonly maxKeys = 20_000) {}

  add(key: MonitorKey, kind: Kind, ref: ExampleRef): void {
    const id = keyId(key);
    let slot = this.byKey.get(id);
    if (!slot) {
      if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as string);
      slot = { exposure: [], response: [], negative: [] };
      this.byKey.set(id, slot);
    }
    const list = slot[kind];
    list.push(ref);
    if (list.length > this.perKind) list.shift();
  }

  /** The examples that explain an alert on a metric: negatives for the negative rate, responses for a high response rate, else exposures. */
  forAlert(key: MonitorKey, metric: MonitorMetric, direction: 'high' | 'low'): { decisions: string[]; outcomes: string[] } {
    const slot = this.byKey.get(keyId(key));
    if (!slot) return { decisions: [], outcomes: [] };
    const kind: Kind = metric === 'negative-rate' ? 'negative' : (metric === 'response-rate' || metric === 'calibration') && direction === 'high' ? 'response' : 'exposure';
    const refs = [...slot[kind]].reverse();
    return { decisions: [...new Set(refs.map((r) => r.decisionId))], outcomes: refs.flatMap((r) => (r.outcomeId ? [r.outcomeId] : [])) };
  }
}
