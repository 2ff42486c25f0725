import type { Metrics } from '../ops/metrics.js';
import { OWN_IDENTIFIER_KINDS } from './merge-rules.js';

/** The kinds a conflict counts under by name (Tact's own, and what an alias or an account sets aside); any other is an external id's `type`. */
const NAMED_KINDS: readonly string[] = [...OWN_IDENTIFIER_KINDS, 'previousId', 'groupId', 'company.id', 'role', 'externalIds', 'consent'];

/**
 * The `kind` label of a conflict: bounded, as an external id's `type` is the client's text.
 *
 * @example
 * conflictKindLabel('email'); // 'email'
 * conflictKindLabel('ios.idfa'); // 'external'
 */
export function conflictKindLabel(kind: string): string {
  return NAMED_KINDS.includes(kind) ? kind : 'external';
}

/**
 * The `reason` label of a conflict, from the reason the profile records: `limit` (a merge rules
 * limit stopped it), `blocked` (a blocked value), `not_email`, `too_long`, `account` (an external
 * id of an account), `consent` (a consent statement set aside: kind `consent`), `unreadable` (anything
 * else: a value or an external id in a shape no id has).
 *
 * @example
 * conflictReasonLabel('merging would give one profile 2 userId values and the merge rules allow 1'); // 'limit'
 */
export function conflictReasonLabel(reason: string, kind?: string): string {
  // A consent value not a boolean, or a purpose with a blank name (profile-state.ts, statedConsent).
  if (kind === 'consent') return 'consent';
  if (reason.startsWith('adding it to the profile would give') || reason.startsWith('merging would give')) return 'limit';
  // whyBlocked's reasons, also as an account or an alias's previousId records them.
  if (reason.startsWith('the value "')) return 'blocked';
  if (reason === 'it is not an e-mail address') return 'not_email';
  if (/^(it is|its type is) \d+ characters long/.test(reason)) return 'too_long';
  if (reason.startsWith('it identifies an account')) return 'account';
  return 'unreadable';
}

/** How often a reason's conflicts are logged at most: a shared device hits one on every event. */
export const CONFLICT_LOG_EVERY_MS = 60_000;

/**
 * Counts what committed batches wrote of the identity graph in Prometheus (tact_identity_merges_total,
 * tact_identity_conflicts_total{kind,reason}), and logs a conflict of each reason label at most once
 * a minute, with how many of that label came since the last line.
 *
 * @example
 * const count = identityCounter(metrics, (data, msg) => log.info(data, msg));
 * count({ merges: w.merges, conflicts: w.conflicts });
 */
export function identityCounter(
  metrics: Pick<Metrics, 'identityMerges' | 'identityConflicts'>,
  log: (data: Record<string, unknown>, msg: string) => void,
  now: () => number = Date.now,
): (w: { merges: readonly unknown[]; conflicts: readonly { profileId: string; kind: string; reason: string; count?: number }[] }) => void {
  const lastLogged = new Map<string, { at: number; since: number }>();
  return (w) => {
    if (w.merges.length) metrics.identityMerges.inc(w.merges.length);
    for (const c of w.conflicts) {
      const kind = conflictKindLabel(c.kind);
      const reason = conflictReasonLabel(c.reason, c.kind);
      const n = c.count ?? 1;
      metrics.identityConflicts.inc({ kind, reason }, n);
      const seen = lastLogged.get(reason) ?? { at: -Infinity, since: 0 };
      seen.since += n;
      lastLogged.set(reason, seen);
      if (now() - seen.at < CONFLICT_LOG_EVERY_MS) continue;
      log({ kind, reason, detail: c.reason, profileId: c.profileId, conflicts: seen.since }, `identity conflict (${reason}), kind ${JSON.stringify(c.kind)}: ${c.reason} (one line a minute at most per reason; \`conflicts\` counts those since the last; the profile's identityConflicts list them)`);
      seen.at = now();
      seen.since = 0;
    }
  };
}
