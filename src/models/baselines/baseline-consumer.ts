import type { LoggedEvent } from '../../collect/log-consumers.js';
import type { Settings } from '../../config/settings.js';
import type { Store } from '../../store/store.js';
import { EstimateBatch, withSubjects } from '../estimates/estimate-batch.js';
import type { AfterWrite, KindConsumer } from '../estimates/learn-consumers.js';
import { type StoredBaseline, foldReading, newBaselineState, readingOf } from './baseline-step.js';
import { metricsKind } from './metrics-kind.js';

/**
 * Keeps each subject's baseline of every configured metric up to date, one reading per matching
 * event (in the subject's local time; held while the zone is not known yet: foldReading), and
 * records anomalies — only once the baseline is established.
 *
 * @example
 * learnConsumers.push(baselineConsumer(store, settings));
 */
export function baselineConsumer(store: Store, settings: Settings, afterWrite: AfterWrite = async () => undefined): KindConsumer {
  return {
    kind: metricsKind.kind,
    configured: () => settings.get(metricsKind).length > 0,
    // Only the metrics' events are parsed for it.
    wants: (type, event) => type === 'track' && event !== null && settings.get(metricsKind).some((m) => m.def.event === event),
    async handle(events: LoggedEvent[]) {
      const metrics = settings.get(metricsKind);
      const names = new Set(metrics.map((m) => m.def.event));
      const relevant = await withSubjects(store.profiles, events.filter((e) => e.message.type === 'track' && names.has(e.message.event ?? '')));
      if (!relevant.length) return;
      const now = Date.now();
      const updatedAt = new Date(now).toISOString();
      const batch = new EstimateBatch(store.estimates, now);
      await batch.load(relevant.flatMap((e) => metrics.filter((m) => m.def.event === e.message.event).map((m) => ({ subjectId: e.subject.id, model: 'baseline', key: m.def.name }))));
      for (const e of relevant) {
        for (const m of metrics) {
          const y = readingOf(e.message, m);
          if (y === undefined) continue;
          const row = batch.row({ subjectId: e.subject.id, model: 'baseline', key: m.def.name }, () => ({ state: newBaselineState(m), modelVersion: m.config.modelVersion }));
          if (!batch.fresh(row, e.seq)) continue;
          const state = row.state as StoredBaseline;
          // The metric's current staleness setting (states stored before it have none).
          state.config = { ...state.config, staleAfterDays: m.config.staleAfterDays };
          const { anomaly, estimate } = foldReading(state, e.message.timestamp, y, e.subject.timezone, m.anomalyLevel, updatedAt);
          if (anomaly) {
            batch.writes.anomalies.push({
              subjectId: e.subject.id, metric: m.def.name, seq: e.seq, at: e.message.timestamp, value: y,
              low: anomaly.estimate.low, high: anomaly.estimate.high, level: m.anomalyLevel, modelVersion: m.config.modelVersion, recordedAt: now,
            });
          }
          batch.touch(row, e.seq, estimate);
        }
      }
      await batch.flush();
      await afterWrite(relevant);
    },
  };
}
