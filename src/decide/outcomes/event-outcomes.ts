import type { LoggedEvent } from '../../collect/log-consumers.js';
import { extract } from '../../profiles/features/state.js';
import type { CompiledPolicy } from '../policy-compile.js';
import type { OutcomeInput } from './recorder.js';

/** The largest outcome value taken, either sign (the outcome route's `value` bound). */
export const MAX_OUTCOME_VALUE = 1e15;

/**
 * Track events the policy maps to outcomes (`outcomes.events`), as outcome inputs: the event's
 * messageId is the outcome's id (so a replayed event is recorded once), its time the outcome's
 * time, `value` read from the property path the mapping names. An event may name its decision
 * (`properties.decision_id`) and action (`properties.action_id`); otherwise attribution finds them.
 *
 * @example
 * outcomesFromEvents(events, policy, (id) => id);
 * // [{ id: 'msg-1', type: 'conversion', value: 42, profileKey: 'p1', source: 'event', … }]
 */
export function outcomesFromEvents(events: readonly LoggedEvent[], policy: CompiledPolicy, liveId: (profileId: string) => string): OutcomeInput[] {
  const out: OutcomeInput[] = [];
  if (!policy.outcomeEvents.size) return out;
  for (const e of events) {
    const m = e.message;
    if (m.type !== 'track' || !m.event) continue;
    const map = policy.outcomeEvents.get(m.event);
    if (!map) continue;
    const props = (m.properties ?? {}) as Record<string, unknown>;
    const raw = map.valuePath ? extract(props, map.valuePath)[0] : undefined;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    // Within ±1e15, as POST /v1/outcomes takes it: sums of larger values overflow to Infinity. The outcome is kept, without a value.
    const value = Math.abs(n) <= MAX_OUTCOME_VALUE ? n : null;
    out.push({
      id: m.messageId,
      at: m.timestamp,
      type: map.type,
      value,
      profileKey: liveId(e.profileId),
      decisionId: typeof props.decision_id === 'string' ? props.decision_id : undefined,
      action: typeof props.action_id === 'string' ? props.action_id : undefined,
      source: 'event',
    });
  }
  return out;
}
