import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { decisionEstimateReads, DECISION_READS } from '../decide/decision-rules.js';
import { variablePaths } from '../rules/cel.js';
import type { SegmentsDoc } from './segments-kind.js';

type Documents = Pick<DocumentStore, 'latest'>;

/** Where each named kind of estimate is configured, and how a segment rule reads it. */
const NAMED = {
  rates: { path: 'rates', noun: 'rate' },
  metrics: { path: 'baselines', noun: 'metric' },
} as const;

/**
 * A rate (or metric) that a stored segment rule reads cannot be removed — nor renamed, which
 * removes the old name: the rule would fail for every subject ("No such key"), silently, and leave
 * everyone out. Nor one that a stored catalog or policy rule reads (`estimates.<rate>`,
 * `anomalies.<metric>`: until 2026-12-06 that removal was taken, and the rule then failed for
 * every subject — an eligibility excluding the action from every decision). Each use is a problem
 * on `rates` (`metrics`) naming the segment, action, policy rule, human territory or lever and its
 * rule; the operator changes the rule first. A name no stored rule reads does not stop the change.
 * (In a config file the segments, catalog and policy read are the file's own where it has them: a
 * file may change the rule and remove the rate together — Settings.applyFile.)
 *
 * @example
 * await checkNamedEstimatesInUse('rates', [], store.documents);
 * // [{ field: 'rates', message: 'The rate `email_open` is read by the segment `openers` (`audiences[0].when` of the segments, as `estimates.rates.email_open`): change that first, then remove the rate …' }]
 */
export async function checkNamedEstimatesInUse(kind: keyof typeof NAMED, body: unknown, documents: Documents): Promise<FieldProblem[]> {
  const kept = new Set(namesIn(body));
  const removed = new Set(namesIn(await bodyBefore(kind, body, documents)).filter((n) => !kept.has(n)));
  if (removed.size === 0) return [];
  const { path, noun } = NAMED[kind];
  const problem = (name: string, who: string, field: string, doc: string, as: string): FieldProblem => ({
    field: kind,
    message: `The ${noun} \`${name}\` is read by ${who} (\`${field}\` of the ${doc}, as \`${as}\`): change that first, then remove the ${noun}, or change both at once (PUT /v1/config; to rename it, add the new name, move the rule to it and remove this one in the same change).`,
  });
  const bySegments = (await segmentEstimateReads(documents))
    .filter((r) => r.path[0] === path && r.path[1] !== undefined && removed.has(r.path[1]))
    .map((r) => problem(r.path[1], `the segment \`${r.segment}\``, r.field, 'segments', `estimates.${path}.${r.path[1]}`));
  const byDecisions = (await decisionEstimateReads(documents))
    .filter((r) => r.kind === kind && removed.has(r.name))
    .map((r) => problem(r.name, r.owner, r.field, r.doc, `${DECISION_READS[kind]}.${r.name}`));
  return [...bySegments, ...byDecisions];
}

/**
 * Send time that a stored segment rule reads (`estimates.sendTime`) cannot be switched off (its
 * `engagement` emptied): without engagement events there is no send time, and the rule fails for
 * every subject. A problem on `engagement` for each such rule; none when send time was not
 * configured before (a rule stored before the check).
 *
 * @example
 * await checkSendTimeInUse({}, store.documents);
 * // [{ field: 'engagement', message: 'Send time is read by the segment `mornings` (`audiences[0].when` of the segments, as `estimates.sendTime`): …' }]
 */
export async function checkSendTimeInUse(body: unknown, documents: Documents): Promise<FieldProblem[]> {
  if (sendTimeConfigured(body) || !sendTimeConfigured(await bodyBefore('send-time', body, documents))) return [];
  return (await segmentEstimateReads(documents))
    .filter((r) => r.path[0] === 'sendTime')
    .map((r) => ({
      field: 'engagement',
      message: `Send time is read by the segment \`${r.segment}\` (\`${r.field}\` of the segments, as \`estimates.sendTime\`): without \`engagement\` events no send time is estimated, and the rule could not be evaluated for any subject. Change that first, then remove the engagement events, or change both at once (PUT /v1/config).`,
    }));
}

/**
 * Whether a send-time body configures send time: it names engagement events (sendTimeKind's
 * `configured`); with none, `estimates.sendTime` is null for everyone.
 */
export function sendTimeConfigured(body: unknown): boolean {
  const list = body && typeof body === 'object' ? (body as { engagement?: unknown }).engagement : undefined;
  return Array.isArray(list) && list.length > 0;
}

/** The `name`s of a list of definitions (a stored body that is not one names none). */
export function namesIn(body: unknown): string[] {
  return Array.isArray(body) ? body.flatMap((d: unknown) => (d && typeof d === 'object' && typeof (d as { name?: unknown }).name === 'string' ? [(d as { name: string }).name] : [])) : [];
}

/**
 * The body of `kind` that `body` replaces: the latest stored (a config file's sections are checked
 * against the file's other sections, each itself as stored: Settings.applyFile).
 */
async function bodyBefore(kind: string, _body: unknown, documents: Documents): Promise<unknown> {
  return (await documents.latest(kind))?.body;
}

/** Each estimate path (`['rates', 'email_open']`, `['sendTime']`) the stored segment rules read, once per rule. */
async function segmentEstimateReads(documents: Documents): Promise<{ segment: string; field: string; path: string[] }[]> {
  const audiences = (await documents.latest<SegmentsDoc>('segments'))?.body?.audiences;
  if (!Array.isArray(audiences)) return [];
  const out: { segment: string; field: string; path: string[] }[] = [];
  audiences.forEach((a: { name?: unknown; when?: unknown } | null, i) => {
    if (typeof a?.when !== 'string') return;
    const seen = new Set<string>();
    for (const p of variablePaths(a.when, 'estimates') ?? []) {
      const path = p[0] === 'sendTime' ? ['sendTime'] : p.slice(0, 2);
      const key = JSON.stringify(path);
      if (path.length === 0 || seen.has(key)) continue;
      seen.add(key);
      out.push({ segment: String(a.name), field: `audiences[${i}].when`, path });
    }
  });
  return out;
}
