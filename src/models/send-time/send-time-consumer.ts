import type { LoggedEvent } from '../../collect/log-consumers.js';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import { EstimateBatch, withSubjects } from '../estimates/estimate-batch.js';
import type { AfterWrite, KindConsumer } from '../estimates/learn-consumers.js';
import type { ModelRegistry } from '../registry/registry.js';
import { type SendTimeModelState, type SlotCounts, countEngagement, newSlotCounts, sendTimeNow, sendTimePrior } from './send-time-model.js';
import { sendTimeKind } from './send-time-kind.js';

/**
 * Counts each subject's engagement events by hour of week in the subject's time zone (the one the
 * profile names when the event is folded in; engagement from before any zone is known is held and
 * re-bucketed once one is: send-time-model.ts); the stored estimate is the best slot after each count.
 *
 * @example
 * learnConsumers.push(sendTimeConsumer(store, settings, registry));
 */
export function sendTimeConsumer(store: Store, settings: Settings, registry: ModelRegistry, afterWrite: AfterWrite = async () => undefined): KindConsumer {
  return {
    kind: sendTimeKind.kind,
    configured: () => settings.get(sendTimeKind).configured,
    async handle(events: LoggedEvent[]) {
      const cfg = settings.get(sendTimeKind);
      const relevant = await withSubjects(store.profiles, events.filter((e) => cfg.matches(e.message)));
      if (!relevant.length) return;
      const now = Date.now();
      const prior = sendTimePrior(await registry.live<SendTimeModelState>('send-time'));
      const batch = new EstimateBatch(store.estimates, now);
      await batch.load(relevant.map((e) => ({ subjectId: e.subject.id, model: 'send-time', key: '' })));
      for (const e of relevant) {
        const row = batch.row({ subjectId: e.subject.id, model: 'send-time', key: '' }, () => ({ state: newSlotCounts(), modelVersion: prior.modelVersion }));
        if (!batch.fresh(row, e.seq)) continue;
        const counts = row.state as SlotCounts;
        countEngagement(counts, e.message.timestamp, e.subject.timezone);
        // Touched first, so that the estimate stored with it is dated by this write.
        batch.touch(row, e.seq, undefined, prior.modelVersion);
        batch.touch(row, e.seq, sendTimeNow({ state: counts, updatedAt: row.updatedAt }, prior, cfg, now, e.subject.timezone).estimate);
      }
      await batch.flush();
      await afterWrite(relevant);
    },
  };
}
