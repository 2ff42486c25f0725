import type { LogConsumers, LoggedEvent } from '../../collect/log-consumers.js';
import type { Settings } from '../../config/settings.js';
import type { SubjectEvent } from './estimate-batch.js';

/** Called after a consumer wrote estimates, with the events (and subjects) it folded in. */
export type AfterWrite = (events: SubjectEvent[]) => Promise<void>;

/** One configuration kind whose events a model learns from online (metrics, rates, send time, segments). */
export interface KindConsumer {
  /** The document kind, e.g. "metrics". */
  kind: string;
  /** Whether the kind's document in force asks for anything. */
  configured(): boolean;
  /** The events it reads, by type and name (LogConsumer.wants): the others are not parsed for it. */
  wants?: (type: string, event: string | null) => boolean;
  handle(events: LoggedEvent[]): Promise<void>;
}

/**
 * Registers one log consumer per kind and document version, named `learn-<kind>@<version>`:
 * a new definition starts a new consumer at the beginning of the log, so a metric, rate or
 * segment added today learns from every event already stored (rows already past an event skip
 * it, so a definition left unchanged is not counted twice; a rate's rows counted under another
 * definition of its name are read as empty and counted again: rates/rate-rows.ts), and the consumer of the old version is unregistered (its log position stays stored). Nothing is registered for a kind that
 * configures nothing, so an install without models pays nothing per event.
 *
 * @example
 * const lc = new LearnConsumers(tact.consumers, tact.settings, [baselines, rates], { multiProcess: false });
 * lc.ensure();
 */
export class LearnConsumers {
  /** kind → the consumer name registered for the version in force. */
  private readonly registered = new Map<string, string>();

  constructor(private readonly consumers: LogConsumers, private readonly settings: Settings, private readonly parts: KindConsumer[], private readonly opts: { multiProcess: boolean }) {}

  /** Registers the consumers of the versions in force that are not registered yet. */
  ensure(): void {
    for (const p of this.parts) {
      const version = this.settings.version(p.kind);
      const name = `learn-${p.kind}@${version}`;
      const previous = this.registered.get(p.kind);
      if (version === 0 || previous === name || !p.configured()) continue;
      if (previous) this.consumers.unregister(previous);
      this.registered.set(p.kind, name);
      this.consumers.register({
        name,
        wants: p.wants,
        handle: async (events) => {
          // Another process may have changed the definitions (an embedded store has one process).
          if (this.opts.multiProcess && (await this.settings.refreshIfStale())) this.ensure();
          if (this.settings.version(p.kind) !== version) return;
          await p.handle(events);
        },
      });
    }
  }

  /** Names of the consumers running now, one per configured kind (for tests and /v1/models). */
  names(): string[] {
    return [...this.registered.values()];
  }
}
