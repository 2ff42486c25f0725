import type { Message } from '../../collect/message.js';
import type { CompiledFeature } from './definition.js';

/**
 * How often a feature's `where` failed on an event in this process, since the definition was
 * compiled (docs/configuration.md, "Features"). A failed `where` does not match, so those events
 * are not counted by the feature; this tally lets an operator see that they exist.
 */
export interface WhereErrorTally {
  count: number;
  /** Times (ms) of the first and the last error. */
  firstAt?: number;
  lastAt?: number;
  /** The last error's first line (CEL appends the expression and a caret below it). */
  lastMessage?: string;
  /** The track event name of the last event that failed, or its message type for other calls. */
  lastEvent?: string;
}

/** A tally with nothing counted yet: one per compiled feature. */
export const noWhereErrors = (): WhereErrorTally => ({ count: 0 });

/**
 * A key the event does not have is an ordinary non-match (`properties.revenue > 100` on an event
 * with no revenue), not a fault worth counting.
 */
export function isMissingKey(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('No such key');
}

/**
 * Counts one failed evaluation of the feature's `where` on `m`.
 *
 * @example
 * noteWhereError(f.whereErrors, new Error('no such overload: dyn<string> > int\n\n> …'), msg);
 * // f.whereErrors: { count: 1, firstAt, lastAt, lastMessage: 'no such overload: dyn<string> > int', lastEvent: 'Order Completed' }
 */
export function noteWhereError(t: WhereErrorTally, err: unknown, m: Message, now = Date.now()): void {
  t.count += 1;
  t.firstAt ??= now;
  t.lastAt = now;
  t.lastMessage = firstLine(err);
  t.lastEvent = m.type === 'track' && m.event ? m.event : m.type;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0].trim();
}

/** The tally as GET /v1/features shows it, or undefined when there was no error. */
export function whereErrorsView(t: WhereErrorTally): { count: number; firstAt: string; lastAt: string; lastMessage: string; lastEvent: string } | undefined {
  if (t.count === 0) return undefined;
  return { count: t.count, firstAt: new Date(t.firstAt ?? 0).toISOString(), lastAt: new Date(t.lastAt ?? 0).toISOString(), lastMessage: t.lastMessage ?? '', lastEvent: t.lastEvent ?? '' };
}

/**
 * The warning for a feature's first `where` error: what failed and what to do.
 *
 * @example
 * whereErrorWarning(f); // 'The feature `big_orders` skips events its `where` (`properties.revenue > 100`) fails on: … compare it with a string, convert it with double(…), or fix the sender. …'
 */
export function whereErrorWarning(f: CompiledFeature): string {
  const t = f.whereErrors;
  const sent = /dyn<(\w+)>/.exec(t.lastMessage ?? '')?.[1];
  const advice = sent === 'string'
    ? 'A value it compares is sent as a string: compare it with a string, convert it with double(…), or fix the sender.'
    : sent === 'null'
      ? 'A value it compares is sent as null: test it first (`x != null && …`), or fix the sender.'
      : sent
        ? `A value it compares is sent as a ${sent}: make the \`where\` take that type, or fix the sender.`
        : 'Change the `where` so that it holds for what the events send, or fix the sender.';
  return `The feature \`${f.def.name}\` skips events its \`where\` (\`${f.def.where}\`) fails on: "${t.lastMessage}" (on a \`${t.lastEvent}\` event). ${advice} Until then those events do not count; GET /v1/features shows how many under \`whereErrors\`.`;
}

/**
 * Warns once per feature definition (name and hash) in this process, the first time its `where`
 * fails. The pure folding code has no logger, so whoever sees the features after a commit or a
 * backfill calls the returned function with them.
 *
 * @example
 * const report = warnOfWhereErrors((data, msg) => log.warn(data, msg));
 * report(settings.get(featuresKind));
 */
export function warnOfWhereErrors(warn: (data: object, msg: string) => void): (features: readonly CompiledFeature[]) => void {
  const warned = new Set<string>();
  return (features) => {
    for (const f of features) {
      if (f.whereErrors.count === 0) continue;
      const key = `${f.def.name}:${f.hash}`;
      if (warned.has(key)) continue;
      warned.add(key);
      warn({ feature: f.def.name, where: f.def.where, error: f.whereErrors.lastMessage, event: f.whereErrors.lastEvent }, whereErrorWarning(f));
    }
  };
}
