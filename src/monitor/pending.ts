import type { MonitorEvent } from '../measure/monitors/counters.js';

type Kind = Pick<MonitorEvent, 'type' | 'action' | 'placement' | 'segment'>;

/**
 * Monitor events waiting for the next step, held as columns of numbers — time, kind (type, action,
 * placement and segment, interned) and prediction — instead of one object each. At 1,000
 * decisions a second a 10-s step interval keeps ≈ 10,000 events waiting: as objects (two boxed
 * numbers each) they all outlived young collections and were copied into the old generation, to
 * die there; as columns they are three arrays whatever the rate.
 *
 * @example
 * const p = new PendingEvents(); p.push({ at: 1, type: 'exposure', action: 'a', placement: 'home', segment: 'all', predicted: 0.1 });
 * p.take(); // [{ at: 1, type: 'exposure', action: 'a', placement: 'home', segment: 'all', predicted: 0.1 }]
 */
export class PendingEvents {
  private at: number[] = [];
  private kind: number[] = [];
  /** NaN where the event carried no prediction. */
  private predicted: number[] = [];
  private kinds: Kind[] = [];
  private kindOf = new Map<string, number>();

  get length(): number {
    return this.at.length;
  }

  push(e: MonitorEvent): void {
    const id = `${e.type}|${e.action}|${e.placement}|${e.segment}`;
    let k = this.kindOf.get(id);
    if (k === undefined) {
      k = this.kinds.length;
      this.kinds.push({ type: e.type, action: e.action, placement: e.placement, segment: e.segment });
      this.kindOf.set(id, k);
    }
    this.at.push(e.at);
    this.kind.push(k);
    this.predicted.push(e.predicted ?? NaN);
  }

  /** Every waiting event, oldest first, as events; none wait after. */
  take(): MonitorEvent[] {
    const out: MonitorEvent[] = new Array(this.at.length);
    for (let i = 0; i < this.at.length; i++) {
      const k = this.kinds[this.kind[i]];
      const e: MonitorEvent = { at: this.at[i], type: k.type, action: k.action, placement: k.placement, segment: k.segment };
      if (!Number.isNaN(this.predicted[i])) e.predicted = this.predicted[i];
      out[i] = e;
    }
    this.at = [];
    this.kind = [];
    this.predicted = [];
    // Kinds are few (actions × placements × segments); start afresh if a catalog's churn grew them.
    if (this.kinds.length > 100_000) {
      this.kinds = [];
      this.kindOf = new Map();
    }
    return out;
  }

  /** Puts events a failed step took back in front of those that came since, in their order. */
  putBack(events: readonly MonitorEvent[]): void {
    const since = this.take();
    for (const e of events) this.push(e);
    for (const e of since) this.push(e);
  }

  /** Drops the oldest events beyond `max`; returns how many went. */
  bound(max: number): number {
    const over = this.at.length - max;
    if (over <= 0) return 0;
    this.at.splice(0, over);
    this.kind.splice(0, over);
    this.predicted.splice(0, over);
    return over;
  }
}
