import type { DecisionStore } from '../decide/decision-store.js';
import { placeOf, type DecisionPlace } from './events.js';

/**
 * Where recent decisions were made (placement, segment), so their outcomes can be keyed without
 * reading the log: the decisions this process logged, and those read once from the log (another
 * process's, or older). Bounded; the oldest are forgotten first.
 *
 * @example
 * const places = new DecisionPlaces(store.decisions); places.remember(record);
 * await places.of('01J…') // { placement: 'home', segment: 'all' }
 */
export class DecisionPlaces {
  private readonly byId = new Map<string, DecisionPlace>();
  /** One object per distinct place, shared by the decisions made there (200,000 entries, a handful of places). */
  private shared = new Map<string, DecisionPlace>();

  constructor(private readonly decisions: DecisionStore, private readonly max = 200_000) {}

  remember(id: string, place: DecisionPlace): void {
    if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value as string);
    const key = `${place.placement}|${place.segment}`;
    let one = this.shared.get(key);
    if (!one) {
      if (this.shared.size >= 10_000) this.shared = new Map();
      this.shared.set(key, (one = { placement: place.placement, segment: place.segment }));
    }
    this.byId.set(id, one);
  }

  /** The decision's place, or undefined when the log has no such decision (retention deleted it). */
  async of(decisionId: string): Promise<DecisionPlace | undefined> {
    const known = this.byId.get(decisionId);
    if (known) return known;
    const d = await this.decisions.getDecision(decisionId);
    if (!d) return undefined;
    const place = placeOf(d);
    this.remember(decisionId, place);
    return place;
  }
}
