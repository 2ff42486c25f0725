import type { LoggedEvent } from '../collect/log-consumers.js';
import type { ProfileState } from '../profiles/profile-state.js';
import type { ProfileStore } from '../profiles/profile-store.js';

/**
 * The profiles a batch merged away, each with the live profile it joined and the seq of the event
 * that merged it. An event is stored under the profile that survives its batch, so the merge is
 * found from the merge records: those of the batch's subjects (followed down a chain) made by a
 * message of the batch. Events stored under a profile merged away since (a log read behind) name it
 * themselves.
 *
 * @example
 * await mergedAwayIn(store.profiles, events, subjects); // Map { 'p_anon' => { into: 'p_user', seq: 4410 } }
 */
export async function mergedAwayIn(
  profiles: Pick<ProfileStore, 'merges'>,
  events: readonly (LoggedEvent & { subject: ProfileState })[],
  subjects: Iterable<ProfileState>,
): Promise<Map<string, { into: string; seq: number }>> {
  const out = new Map<string, { into: string; seq: number }>();
  for (const e of events) if (e.profileId !== e.subject.id) out.set(e.profileId, { into: e.subject.id, seq: e.seq });
  const seqOf = new Map(events.map((e) => [e.message.messageId, e.seq]));
  for (const s of subjects) {
    // A profile known never to have absorbed another has no merge records to read.
    if (s.absorbed === 0) continue;
    const queue = [s.id];
    const seen = new Set(queue);
    while (queue.length && seen.size <= 64) {
      const id = queue.shift() as string;
      for (const m of await profiles.merges(id)) {
        const seq = seqOf.get(m.messageId);
        if (m.into !== id || seq === undefined || seen.has(m.from)) continue;
        seen.add(m.from);
        queue.push(m.from);
        out.set(m.from, { into: s.id, seq });
      }
    }
  }
  return out;
}
