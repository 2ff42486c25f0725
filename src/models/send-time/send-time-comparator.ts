import type { Settings } from '../../config/settings.js';
import { SLOTS, slotOf } from '../../learn/send-time/send-time.js';
import { differenceWords, pairedBelowZero, pairedDifference } from '../../learn/stats/paired.js';
import type { Store } from '../../store/store.js';
import { tzOffsetMinutes } from '../local-time.js';
import { type CompareVersions, type Comparison, unseenBy } from '../registry/registry.js';
import { forEachEvent } from '../train/subjects.js';
import type { SendTimeModelState } from './send-time-model.js';
import { sendTimeKind } from './send-time-kind.js';
import { mapSliced, timeSlicer } from '../train/time-slice.js';
import { fitSendTimeOffThread } from './send-time-trainer.js';

/** Held-out subjects needed before a comparison can say anything. */
export const MIN_HELD_OUT = 30;

/**
 * The rule, on each held-out subject's difference in log predictive probability (candidate − live)
 * of the engagement slot held out: the candidate may go live unless it is significantly worse —
 * the upper end of Student's 95% t-interval of the mean difference below 0, or, when the
 * difference is the same for every subject (no interval: paired.ts), that difference below 0 by
 * the exact sign test — and only with at least MIN_HELD_OUT subjects. Equal mean scores (a tie)
 * favour neither: better is false, and the summary says "no difference".
 *
 * @example
 * compareLogLik([-2.1, -3.0, …], [-2.5, -3.2, …], { candidate: 2, live: 1 }).better; // true
 */
export function compareLogLik(candidate: readonly number[], live: readonly number[], versions: { candidate: number; live: number }): Comparison {
  const n = candidate.length;
  if (n < MIN_HELD_OUT) {
    return { better: false, inconclusive: true, summary: `only ${n} subjects engaged after version ${versions.live} was trained (at least ${MIN_HELD_OUT} are needed to compare the held-out log-likelihood); promote it by hand (\`tact models promote --force\`), or wait`, figures: { heldOut: n } };
  }
  const d = pairedDifference(candidate, live);
  const ci: [number, number] | null = d.constant ? null : [round(d.low), round(d.high)];
  // Equal mean scores (the differences sum to exactly 0) favour neither version.
  const tie = d.mean === 0;
  const better = !tie && !pairedBelowZero(d);
  const lc = candidate.reduce((a, b) => a + b, 0) / n;
  const ll = live.reduce((a, b) => a + b, 0) / n;
  const words = `on ${n} held-out engagements the mean log predictive probability of the slot is ${round(lc)} for version ${versions.candidate} against ${round(ll)} for version ${versions.live} (${differenceWords({ n, difference: round(d.mean), ci })})`;
  const verdict = tie ? `no difference between version ${versions.candidate} and version ${versions.live}` : better ? 'the candidate is not worse' : 'the candidate is worse';
  return { better, summary: `${words}: ${verdict}`, figures: { heldOut: n, candidateLogLik: round(lc), liveLogLik: round(ll), difference: round(d.mean), ci, ...(d.constant ? { sameForEvery: true } : {}), ...(tie ? { tie: true } : {}) } };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** ln P(next engagement in `slot`) under Dirichlet(A·share + counts): the posterior predictive. */
export function logPredictive(m: SendTimeModelState, counts: ArrayLike<number>, slot: number): number {
  let n = 0;
  for (let s = 0; s < SLOTS; s++) n += counts[s];
  return Math.log((m.strength * m.share[slot] + counts[slot]) / (m.strength + n));
}

interface Engagement {
  slot: number;
  receivedAt: number;
  seq: number;
}

/** Every engagement event received up to `upto`, by live subject, with its hour-of-week slot in the subject's time zone. */
async function readEngagement(store: Store, settings: Settings, upto: number): Promise<Map<string, Engagement[]>> {
  const cfg = settings.get(sendTimeKind);
  const subjects = new Map<string, Engagement[]>();
  await forEachEvent(store, async (e) => {
    const m = e.message;
    if (m.receivedAt > upto || !cfg.matches(m)) return;
    const subject = await e.subject();
    if (!subject) return;
    const list = subjects.get(subject.id) ?? subjects.set(subject.id, []).get(subject.id)!;
    list.push({ slot: slotOf(new Date(m.timestamp), tzOffsetMinutes(subject.timezone, m.timestamp)), receivedAt: m.receivedAt, seq: e.seq });
  });
  return subjects;
}

/**
 * Compares two `send-time` versions before the candidate replaces the live one. A send time is a
 * forecast of when a subject engages, so it is scored as one, on what the live version never saw:
 * every subject with an engagement received after the live version's data window has its latest
 * such engagement held out; the candidate is refitted (population share and prior strength) on
 * every other engagement up to its own window, so neither version saw the held-out ones; each
 * version's posterior predictive probability of the held-out slot, given the subject's other
 * engagements, is the score (log scale, a proper scoring rule), compared subject by subject.
 *
 * @example
 * registry.setComparator('send-time', sendTimeComparator({ store, settings }));
 */
export function sendTimeComparator(o: { store: Store; settings: Settings }): CompareVersions {
  return async (candidate, live) => {
    const bySubject = await readEngagement(o.store, o.settings, candidate.dataTo);
    const counts: number[][] = [];
    const held: { counts: number[]; slot: number }[] = [];
    const slice = timeSlicer();
    for (const events of bySubject.values()) {
      await slice.pause();
      let latest: Engagement | undefined;
      for (const e of events) if (unseenBy(live, e.receivedAt) && (!latest || e.receivedAt > latest.receivedAt || (e.receivedAt === latest.receivedAt && e.seq > latest.seq))) latest = e;
      const c = new Array<number>(SLOTS).fill(0);
      for (const e of events) if (e !== latest) c[e.slot] += 1;
      counts.push(c);
      if (latest) held.push({ counts: c, slot: latest.slot });
    }
    // Off the server's thread, and the scoring sliced: both take seconds at 20,000 subjects.
    const refit = (await fitSendTimeOffThread(counts)).state;
    const l = live.state as SendTimeModelState;
    return compareLogLik(
      await mapSliced(held, (h) => logPredictive(refit, h.counts, h.slot)),
      await mapSliced(held, (h) => logPredictive(l, h.counts, h.slot)),
      { candidate: candidate.version, live: live.version },
    );
  };
}
