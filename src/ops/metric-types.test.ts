import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

/** The `# TYPE` line of a family in the Prometheus text format, or undefined when it is not exported. */
const typeOf = (text: string, name: string) => new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(text)?.[1];
const valueOf = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

/**
 * A family's type tells Prometheus how to read it (prometheus.io/docs/concepts/metric_types/): a
 * counter "can only increase or be reset to zero on restart", so `rate()` and `increase()` apply
 * to it; a gauge "can arbitrarily go up and down". The subjects whose older contacts were read
 * from the decision log (docs/adr/0006-lazy-contact-ledger.md) only ever add up, so the family is
 * a counter named `_total` (prometheus.io/docs/practices/naming/); the state held in memory rises
 * and falls (pruned), so those stay gauges.
 */
describe('Tact metric types', () => {
  it('counts the subjects read from the decision log since the start as a counter, and keeps what is held as gauges', async () => {
    const state = { subjects: 4, contacts: 9, successes: 1, keys: 2, lazySubjects: 3 };
    const m = new Metrics({ decisionState: () => state });
    let text = await m.registry.metrics();
    expect(typeOf(text, 'tact_decide_subjects_read_total')).toBe('counter');
    expect(valueOf(text, 'tact_decide_subjects_read_total')).toBe(3);
    expect(typeOf(text, 'tact_decide_subjects_read_since_start')).toBeUndefined();
    for (const held of ['tact_decide_subjects_held', 'tact_decide_contacts_held', 'tact_decide_successes_held', 'tact_decide_keys_held']) expect(typeOf(text, held), held).toBe('gauge');
    state.lazySubjects = 5;
    state.contacts = 2;
    text = await m.registry.metrics();
    expect(valueOf(text, 'tact_decide_subjects_read_total')).toBe(5);
    expect(valueOf(text, 'tact_decide_contacts_held')).toBe(2);
  });

  it('before the decision state exists, exports the counter at 0', async () => {
    const text = await new Metrics({ decisionState: () => undefined }).registry.metrics();
    expect(typeOf(text, 'tact_decide_subjects_read_total')).toBe('counter');
    expect(valueOf(text, 'tact_decide_subjects_read_total')).toBe(0);
  });
});
