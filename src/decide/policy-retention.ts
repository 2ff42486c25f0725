import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { parseDuration } from '../profiles/features/definition.js';
import type { Catalog } from './catalog.js';
import type { Checker } from './check.js';
import type { Policy } from './policy.js';

const DAY = 86_400_000;

/** How many days the decision log keeps when the policy sets no `retention.days`. */
export const DEFAULT_RETENTION_DAYS = 400;

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
/** A window in words: "30 days", or "36 h" when it is not whole days. */
const span = (ms: number) => (ms % DAY === 0 ? days(ms / DAY) : `${Math.round(ms / 3_600_000)} h`);

/**
 * The log must keep what the contact rules and attribution count back over: caps, dismissals and
 * budgets are counted from it again at every start, and outcomes are credited from it. A retention
 * shorter than one of their windows would delete what they count — after a restart a 30-day
 * dismissal rule would see only the last 7 days under a 7-day retention. Checked against the
 * retention in force when the policy sets none (400 days): until 2026-12-05 only a policy that set
 * `retention` was checked, so a cap over 401 days was taken under the default.
 *
 * @example
 * checkRetention(c, { contact: { dismissals: { count: 2, window: '30d' } }, retention: { days: 7 } }); // 'The `retention.days` (7) is shorter than …'
 */
export function checkRetention(c: Checker, body: Record<string, unknown>): void {
  const set = (body.retention as Record<string, unknown> | undefined)?.days;
  const windows = policyWindows(body);
  if (set === undefined) {
    // The operator wrote the windows, not the retention: each too long is named where it is written.
    for (const w of windows) {
      if (w.field && w.ms > DEFAULT_RETENTION_DAYS * DAY) c.add(w.field, `The \`${w.field}\` (${span(w.ms)}) is longer than the decision log keeps: \`retention.days\` is ${DEFAULT_RETENTION_DAYS} by default, and the log would delete what the window counts (after a restart it would count only the last ${DEFAULT_RETENTION_DAYS} days). Shorten the window, or set \`retention.days\` to at least ${Math.ceil(w.ms / DAY)}.`);
    }
    return;
  }
  if (typeof set !== 'number') return;
  let longest: (typeof windows)[number] | undefined;
  for (const w of windows) if (!longest || w.ms > longest.ms) longest = w;
  if (!longest || set * DAY >= longest.ms) return;
  const need = Math.ceil(longest.ms / DAY);
  const field = longest.field ?? 'outcomes.attribution.window';
  c.add('retention.days', `The \`retention.days\` (${set}) is shorter than \`${field}\` (${span(longest.ms)}${longest.field ? '' : ', the default'}): the decision log would delete what it counts, and after a restart it would count only the last ${days(set)}. Keep the log at least ${days(need)}, or shorten the window.`);
}

/** Each window the policy's contact rules and attribution count back over; `field` undefined for the default attribution window (7 days). */
function policyWindows(body: Record<string, unknown>): { field?: string; ms: number }[] {
  const k = (body.contact ?? {}) as Record<string, unknown>;
  const raw: [string | undefined, unknown][] = [];
  if (Array.isArray(k.caps)) k.caps.forEach((cap, i) => raw.push([`contact.caps[${i}].window`, (cap as Record<string, unknown> | null)?.window]));
  if (k.dismissals && typeof k.dismissals === 'object') raw.push(['contact.dismissals.window', (k.dismissals as Record<string, unknown>).window]);
  if (Array.isArray(k.budgets)) k.budgets.forEach((b, i) => raw.push([`contact.budgets[${i}].window`, (b as Record<string, unknown> | null)?.window]));
  const attribution = ((body.outcomes as Record<string, unknown> | undefined)?.attribution as Record<string, unknown> | undefined)?.window;
  raw.push(attribution === undefined ? [undefined, '7d'] : ['outcomes.attribution.window', attribution]);
  const out: { field?: string; ms: number }[] = [];
  for (const [field, w] of raw) {
    const ms = parseDuration(w);
    if (ms !== undefined) out.push({ field, ms });
  }
  return out;
}

/** The retention a policy body sets, or the default (a body stored before it was checked: what is not a number is the default). */
export function retentionOf(policy: Policy | undefined): number {
  const d = policy?.retention?.days;
  return typeof d === 'number' && Number.isFinite(d) && d >= 1 ? d : DEFAULT_RETENTION_DAYS;
}

/** Each action's own `attributionWindow` in ms, with its field and id (of a body stored before it was checked too). */
function actionWindows(catalog: Catalog | undefined): { field: string; id: string; ms: number }[] {
  const out: { field: string; id: string; ms: number }[] = [];
  (Array.isArray(catalog?.actions) ? catalog.actions : []).forEach((a, i) => {
    const ms = a && typeof a === 'object' ? parseDuration(a.attributionWindow) : undefined;
    if (ms !== undefined) out.push({ field: `actions[${i}].attributionWindow`, id: String(a.id), ms });
  });
  return out;
}

/**
 * An action's own `attributionWindow` longer than the policy's retention: its outcomes are credited
 * from the decision log, which by then has deleted the decision — with a retention of 10 days, a
 * purchase 12 days after a decision under a 30-day window was credited to nothing (until
 * 2026-12-05 the two were never compared). Refused when the catalog is written, against the policy
 * stored (the config file checks against the policy it applies with it).
 *
 * @example
 * await catalogRetentionProblems({ actions: [{ id: 'promo', …, attributionWindow: '30d' }] }, store.documents);
 * // [{ field: 'actions[0].attributionWindow', message: 'The `actions[0].attributionWindow` (30 days) is longer than …' }]
 */
export async function catalogRetentionProblems(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const windows = actionWindows(body);
  if (!windows.length) return [];
  const policy = await documents.latest<Policy>('policy');
  const kept = retentionOf(policy?.body);
  const whose = policy?.body?.retention?.days === undefined ? `is ${kept} by default` : `is ${kept} (policy version ${policy.version})`;
  return windows
    .filter((w) => w.ms > kept * DAY)
    .map((w) => ({
      field: w.field,
      message: `The \`${w.field}\` (${span(w.ms)}) is longer than the decision log keeps: the policy's \`retention.days\` ${whose}, so an outcome of \`${w.id}\` reported after ${days(kept)} would find its decision deleted and be credited to nothing. Shorten the window to at most ${days(kept)}, or raise the policy's \`retention.days\` to at least ${Math.ceil(w.ms / DAY)} first.`,
    }));
}

/**
 * The same contradiction from the policy's side: a `retention.days` shorter than an action's own
 * `attributionWindow` in the catalog stored. Refused when the policy is written, naming the action.
 *
 * @example
 * await policyRetentionProblems({ retention: { days: 10 } }, store.documents);
 * // [{ field: 'retention.days', message: 'The `retention.days` (10) is shorter than the `attributionWindow` of the action `promo` …' }]
 */
export async function policyRetentionProblems(body: Policy, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const kept = retentionOf(body);
  const catalog = await documents.latest<Catalog>('catalog');
  const longer = actionWindows(catalog?.body).filter((w) => w.ms > kept * DAY).sort((a, b) => b.ms - a.ms);
  if (!longer.length) return [];
  const [w] = longer;
  const set = body.retention?.days === undefined ? `${kept}, the default` : String(kept);
  const others = longer.length > 1 ? ` (and ${longer.length - 1} other action${longer.length === 2 ? '' : 's'}: ${longer.slice(1, 4).map((x) => `\`${x.id}\``).join(', ')}${longer.length > 4 ? ' …' : ''})` : '';
  return [{
    field: 'retention.days',
    message: `The \`retention.days\` (${set}) is shorter than the \`attributionWindow\` of the action \`${w.id}\` (${span(w.ms)}, \`${w.field}\` of the catalog version ${catalog?.version})${others}: the decision log would delete its decisions before their outcomes are credited, and an outcome reported after ${days(kept)} would be credited to nothing. Keep the log at least ${days(Math.ceil(w.ms / DAY))}, or shorten the action's window first.`,
  }];
}
