import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DecideState, PRUNE_SLICE } from '../src/decide/decide-state.js';
import { newProfileId } from '../src/identity/profile-id.js';
import { rng } from './events.js';

const DAY = 86_400_000;
const SUBJECTS = 100_000;
const ACTIONS = 100;
/** What a contact is, packed: time, kind and the decision id's three numbers. */
const CONTACT_FLOOR_BYTES = 5 * 8;
/** What a (subject, action) count is, packed: action, successes, trials. */
const COUNT_FLOOR_BYTES = 3 * 8;
/** What a success kept for crediting is, packed: the decision id's three numbers, action, time. */
const SUCCESS_FLOOR_BYTES = 5 * 8;
/** The contact policy's one cap. */
const CAP = { channel: 'web', topic: 'marketing', max: 3, windowMs: DAY };

/**
 * What the decision state a server keeps in memory grows to at 1,000 decisions a second: every
 * decision that picks an action adds a contact to its subject's ledger (kept while a cap counts it
 * — here at most 3 marketing contacts on the web a day — or for five minutes) and a trial to the
 * subject's count of that action; every decision here also gets an outcome (an impression reported
 * by the browser snippet), one in ten a click that is the action's goal (a success, kept a few
 * minutes: the log has the older ones). Fed as the decider and the recorder feed them —
 * 100,000 subjects, 100 actions, one decision a millisecond, the state's key upkeep every simulated
 * minute and its pruning every ten, as the server runs them — it measures the heap they take, a full
 * collection of it, and the lookups a decision makes (a cap's count, the personal counts of 100
 * candidates). The floor is the information the state must hold, packed: 40 bytes a contact the
 * cap counts or of the last minutes, 24 a count, 40 a success of the last minutes.
 *
 * @example
 * await decideMemoryBench(['--quick']); // { bench: 'decide-memory', bytes_per_decision: …, floor_bytes_per_decision: …, ratio: … }
 */
export async function decideMemoryBench(args: string[]): Promise<Record<string, unknown>> {
  const minutes = args.includes('--quick') ? 10 : 40;
  const n = minutes * 60_000;
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  // Everything is reached through `state` after the heap is measured: an object no later code
  // reads may be collected before the measurement (its maps were, in a first version).
  const state = new DecideState(30 * DAY, false, 7 * DAY);
  state.setRetention([CAP]);
  const actions = Array.from({ length: ACTIONS }, (_, i) => `offer-${i}`);
  const topics = [['marketing'], ['service']];
  const r = rng(3);
  const start = Date.parse('2026-12-01T00:00:00Z');
  const pairs = new Set<number>();
  process.stdout.write(`decide-memory: ${n.toLocaleString()} decisions (${minutes} minutes at 1,000/s) over ${SUBJECTS.toLocaleString()} subjects and ${ACTIONS} actions…\n`);
  const before = heap();
  let pruneMs = 0;
  let sliceMs = 0;
  const slices: number[] = [];
  const upkeeps: number[] = [];
  let t = performance.now();
  for (let i = 0; i < n; i++) {
    const s = Math.floor(r() * SUBJECTS);
    const a = Math.floor(r() * ACTIONS);
    const at = start + i;
    const decisionId = newProfileId(at);
    state.ledger.record(`p${s}`, { at, action: actions[a], channel: 'web', topics: topics[a % 2], decisionId });
    // As the decider counts a choice: with its decision's id and time (open until its window ends, ADR 0007).
    state.counts.trial(actions[a], `p${s}`, 1, undefined, decisionId, at);
    pairs.add(s * ACTIONS + a);
    const click = i % 10 === 0;
    state.applyOutcome({ id: `o-${i}`, at, profileKey: `p${s}`, type: click ? 'click' : 'impression', value: null, decisionId, action: actions[a], credit: 1, reward: 0, success: click, source: 'api' }, true, undefined, at);
    if (i % 60_000 === 59_999) {
      const upkeep = performance.now();
      state.forgetKeys(at);
      upkeeps.push(performance.now() - upkeep);
    }
    if (i % 600_000 === 599_999) {
      // As the server prunes: PRUNE_SLICE subjects a slice, the event loop free between slices.
      const pass = performance.now();
      for (let done = false; !done; ) {
        const slice = performance.now();
        done = state.pruneSome(at, PRUNE_SLICE); // the last slice prunes the rest of the state (successes, keys), as in the server
        slices.push(performance.now() - slice);
        sliceMs = Math.max(sliceMs, slices[slices.length - 1]);
      }
      pruneMs = Math.max(pruneMs, performance.now() - pass);

    }
  }
  const recordUs = ((performance.now() - t) * 1000) / n;
  const pairCount = pairs.size;
  pairs.clear();
  const bytes = heap() - before;
  t = performance.now();
  gc();
  const fullGcMs = performance.now() - t;
  const lookups = 20_000;
  let held = 0;
  t = performance.now();
  for (let i = 0; i < lookups; i++) {
    const subject = `p${i % SUBJECTS}`;
    held += state.ledger.view(subject).count(start + n - CAP.windowMs, CAP);
    for (const a of actions) state.counts.personalCounts(a, subject);
  }
  const lookupUs = ((performance.now() - t) * 1000) / lookups;
  const contacts = state.ledger.contactCount;
  const successes = state.heldSuccesses;
  const floor = (contacts * CONTACT_FLOOR_BYTES + pairCount * COUNT_FLOOR_BYTES + successes * SUCCESS_FLOOR_BYTES) / n;
  const everything = (n * CONTACT_FLOOR_BYTES + pairCount * COUNT_FLOOR_BYTES + (n / 10) * SUCCESS_FLOOR_BYTES) / n;
  const perDecision = bytes / n;
  process.stdout.write(`  heap held: ${(bytes / 1e6).toFixed(1)} MB, ${perDecision.toFixed(0)} bytes a decision (of ${n.toLocaleString()} contacts ${contacts.toLocaleString()} held, ${pairCount.toLocaleString()} subject-action counts, of ${(n / 10).toLocaleString()} successes ${successes.toLocaleString()} held)\n`);
  process.stdout.write(`  floor (what must be held, packed: 40 bytes a contact, 24 a count, 40 a success): ${floor.toFixed(0)} bytes a decision; ratio ${(perDecision / floor).toFixed(2)}; every contact and success packed would be ${everything.toFixed(0)}\n`);
  slices.sort((a, b) => a - b);
  const sliceP50 = slices[Math.floor(slices.length / 2)] ?? 0;
  const sliceP99 = slices[Math.floor(slices.length * 0.99)] ?? 0;
  upkeeps.sort((a, b) => a - b);
  const upkeepMax = upkeeps[upkeeps.length - 1] ?? 0;
  const upkeepP50 = upkeeps[Math.floor(upkeeps.length / 2)] ?? 0;
  process.stdout.write(`  a full collection of this heap: ${fullGcMs.toFixed(0)} ms; recording a decision ${recordUs.toFixed(2)} µs; a decision's lookups (one cap count, 100 personal counts) ${lookupUs.toFixed(1)} µs (${held} contacts counted); the 10-minute prune of the ledger, the longest: ${pruneMs.toFixed(0)} ms in all, ${sliceMs.toFixed(1)} ms at most between two turns of the event loop (p50 ${sliceP50.toFixed(2)}, p99 ${sliceP99.toFixed(2)} ms over ${slices.length} slices); the minute's key upkeep ${upkeepP50.toFixed(2)} ms at the median, ${upkeepMax.toFixed(2)} at most (${state.heldKeys.toLocaleString()} keys held at the end)\n`);
  return {
    bench: 'decide-memory',
    decisions: n,
    heap_mb: Number((bytes / 1e6).toFixed(1)),
    bytes_per_decision: Math.round(perDecision),
    floor_bytes_per_decision: Math.round(floor),
    contacts_held: contacts,
    successes_held: successes,
    all_contacts_floor_bytes_per_decision: Math.round(everything),
    ratio: Number((perDecision / floor).toFixed(2)),
    full_gc_ms: Math.round(fullGcMs),
    record_us: Number(recordUs.toFixed(2)),
    lookup_us_per_decision: Number(lookupUs.toFixed(1)),
    prune_ms: Math.round(pruneMs),
    prune_slice_ms: Number(sliceMs.toFixed(1)),
    prune_slice_p50_ms: Number(sliceP50.toFixed(2)),
    prune_slice_p99_ms: Number(sliceP99.toFixed(2)),
    key_upkeep_p50_ms: Number(upkeepP50.toFixed(2)),
    key_upkeep_max_ms: Number(upkeepMax.toFixed(2)),
    keys_held: state.heldKeys,
  };
}
