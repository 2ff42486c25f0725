import type { FieldProblem } from '../errors/tact-error.js';
import { MIN_CONCENTRATION } from '../learn/rates/concentration.js';
import { parseDuration } from '../profiles/features/definition.js';
import { Checker } from './check.js';
import { blankAccount, flagNameProblem } from './flag-declarations.js';
import { checkBudgetWindows, checkUniqueNames, contactItems, namedItems } from './policy-names.js';
import { checkRetention } from './policy-retention.js';
import { RULE_STAGES } from './policy.js';

const KEYS = ['rules', 'consent', 'contact', 'humanTerritory', 'review', 'levers', 'exploration', 'noneScore', 'scoring', 'estimates', 'outcomes', 'holdout', 'retention', 'description'];

/** A rule's or lever's filter: an empty list in it would match no action, so the item would never apply. */
function checkFilter(c: Checker, f: Record<string, unknown>, at: string, item: 'rule' | 'lever'): void {
  for (const k of ['actions', 'topics', 'channels'] as const) {
    if (c.strings(f[k], `${at}.${k}`) && isEmpty(f[k])) c.add(`${at}.${k}`, `The \`${at}.${k}\` is empty: the ${item} would apply to no action. Name them, or leave \`${k}\` out for every action.`);
  }
}

const isEmpty = (v: unknown) => Array.isArray(v) && v.length === 0;

/**
 * A human territory's account ids and flag names must be ones that can exist: an account id of
 * spaces is no account (a group() call never makes one), and a flag name POST /v1/flags refuses
 * (`has space`) is never set — either way the entry would cover no one by it (until 2026-12-05
 * both were taken). Account ids the merge rules block (`null` …) are checked against the rules
 * stored (policy-territory.ts).
 */
function checkTerritoryNames(c: Checker, list: unknown[], at: string, k: 'accounts' | 'flags'): void {
  list.forEach((v, i) => {
    if (typeof v !== 'string') return;
    const field = `${at}[${i}]`;
    if (k === 'accounts' && !v.trim()) c.add(field, blankAccount(v, field, 'the entry would cover no one by it'));
    if (k === 'flags' && flagNameProblem(v)) c.add(field, `The \`${field}\` (\`${v}\`) is not a flag's name: a flag's name starts with a letter or \`_\`, holds only letters, digits and \`_\` and is none of CEL's reserved words (POST /v1/flags refuses any other), so no subject could have it and the entry would cover no one by it.`);
  });
}

/**
 * Every problem with a proposed policy, each naming its field.
 *
 * @example
 * checkPolicy({ exploration: { budget: 2 } }); // [{ field: 'exploration.budget', message: '… between 0 and 1.' }]
 */
export function checkPolicy(body: unknown): FieldProblem[] {
  const c = new Checker();
  if (!c.object(body, 'policy')) return c.problems;
  c.known(body, '', KEYS);
  if (c.list(body.rules, 'rules')) {
    body.rules.forEach((r, i) => {
      const at = `rules[${i}]`;
      if (!c.object(r, at)) return;
      c.known(r, at, ['name', 'stage', 'when', 'reason', 'description', 'actions', 'topics', 'channels']);
      c.string(r.name, `${at}.name`);
      if (r.stage === undefined) c.add(`${at}.stage`, `The \`${at}.stage\` is required: eligibility, applicability or suitability.`);
      else c.oneOf(r.stage, `${at}.stage`, RULE_STAGES);
      c.cel(r.when, `${at}.when`, false);
      c.string(r.reason, `${at}.reason`, true);
      checkFilter(c, r, at, 'rule');
    });
    checkUniqueNames(c, namedItems(body.rules, 'rules', 'rule'));
  }
  if (body.consent !== undefined && c.object(body.consent, 'consent')) {
    c.known(body.consent, 'consent', ['assumeGranted']);
    c.strings(body.consent.assumeGranted, 'consent.assumeGranted');
  }
  if (body.contact !== undefined && c.object(body.contact, 'contact')) checkContact(c, body.contact);
  if (c.list(body.humanTerritory, 'humanTerritory')) {
    body.humanTerritory.forEach((t, i) => {
      const at = `humanTerritory[${i}]`;
      if (!c.object(t, at)) return;
      c.known(t, at, ['name', 'queue', 'when', 'accounts', 'flags', 'description']);
      c.string(t.name, `${at}.name`);
      c.string(t.queue, `${at}.queue`);
      c.cel(t.when, `${at}.when`);
      for (const k of ['accounts', 'flags'] as const) {
        if (!c.strings(t[k], `${at}.${k}`) || !Array.isArray(t[k])) continue;
        if (isEmpty(t[k])) c.add(`${at}.${k}`, `The \`${at}.${k}\` is empty: the entry would cover no one by it. Name them, or leave \`${k}\` out.`);
        else checkTerritoryNames(c, t[k], `${at}.${k}`, k);
      }
      if (t.when === undefined && t.accounts === undefined && t.flags === undefined) c.add(at, `The \`${at}\` must say whom it covers: \`when\`, \`accounts\` or \`flags\`.`);
    });
    checkUniqueNames(c, namedItems(body.humanTerritory, 'humanTerritory', 'human territory'));
  }
  if (body.review !== undefined && c.object(body.review, 'review')) {
    c.known(body.review, 'review', ['queue', 'rejectFor', 'expireAfter', 'approvalValidFor']);
    c.string(body.review.queue, 'review.queue', true);
    c.duration(body.review.rejectFor, 'review.rejectFor');
    c.duration(body.review.expireAfter, 'review.expireAfter');
    c.duration(body.review.approvalValidFor, 'review.approvalValidFor');
  }
  if (c.list(body.levers, 'levers')) {
    body.levers.forEach((l, i) => {
      const at = `levers[${i}]`;
      if (!c.object(l, at)) return;
      c.known(l, at, ['name', 'weight', 'when', 'actions', 'topics', 'channels', 'description']);
      c.string(l.name, `${at}.name`);
      checkWeight(c, l.weight, `${at}.weight`);
      c.cel(l.when, `${at}.when`);
      checkFilter(c, l, at, 'lever');
    });
    checkUniqueNames(c, namedItems(body.levers, 'levers', 'lever'));
  }
  if (body.exploration !== undefined && c.object(body.exploration, 'exploration')) {
    c.known(body.exploration, 'exploration', ['budget']);
    c.number(body.exploration.budget, 'exploration.budget', { min: 0, max: 1 });
  }
  c.number(body.noneScore, 'noneScore');
  if (body.scoring !== undefined) c.oneOf(body.scoring, 'scoring', ['rate', 'uplift']);
  if (body.estimates !== undefined && c.object(body.estimates, 'estimates')) {
    const e = body.estimates;
    c.known(e, 'estimates', ['priorMean', 'priorStrength', 'personalStrength', 'groupStrength', 'minDataWeight', 'level', 'establishedWidth']);
    c.number(e.priorMean, 'estimates.priorMean', { min: 0.000001, max: 0.999999 });
    for (const k of ['priorStrength', 'groupStrength', 'personalStrength']) checkStrength(c, e[k], `estimates.${k}`);
    c.number(e.minDataWeight, 'estimates.minDataWeight', { min: 0, max: 1 });
    c.number(e.level, 'estimates.level', { min: 0.5, max: 0.999 });
    c.number(e.establishedWidth, 'estimates.establishedWidth', { min: 0, max: 1 });
  }
  if (body.outcomes !== undefined && c.object(body.outcomes, 'outcomes')) checkOutcomes(c, body.outcomes);
  if (body.holdout !== undefined && c.object(body.holdout, 'holdout')) {
    c.known(body.holdout, 'holdout', ['share', 'salt']);
    c.number(body.holdout.share, 'holdout.share', { min: 0, max: 1, optional: false });
    c.string(body.holdout.salt, 'holdout.salt', true);
  }
  let retention = body.retention === undefined;
  if (body.retention !== undefined && c.object(body.retention, 'retention')) {
    c.known(body.retention, 'retention', ['days']);
    retention = c.number(body.retention.days, 'retention.days', { min: 1, integer: true });
  }
  // Against the retention in force: the one set, or the default (policy-retention.ts).
  if (retention) checkRetention(c, body);
  return c.problems;
}

function checkContact(c: Checker, k: Record<string, unknown>): void {
  c.known(k, 'contact', ['caps', 'dismissals', 'quietHours', 'budgets']);
  if (c.list(k.caps, 'contact.caps')) {
    k.caps.forEach((cap, i) => {
      const at = `contact.caps[${i}]`;
      if (!c.object(cap, at)) return;
      c.known(cap, at, ['name', 'channel', 'topic', 'action', 'max', 'window']);
      c.string(cap.name, `${at}.name`, true);
      c.number(cap.max, `${at}.max`, { min: 0, integer: true, optional: false });
      if (cap.window === undefined) c.add(`${at}.window`, `The \`${at}.window\` is required, e.g. "7d".`);
      else c.duration(cap.window, `${at}.window`);
      for (const f of ['channel', 'topic', 'action'] as const) c.string(cap[f], `${at}.${f}`, true);
    });
  }
  if (k.dismissals !== undefined && c.object(k.dismissals, 'contact.dismissals')) {
    c.known(k.dismissals, 'contact.dismissals', ['count', 'window']);
    c.number(k.dismissals.count, 'contact.dismissals.count', { min: 1, integer: true, optional: false });
    if (k.dismissals.window === undefined) c.add('contact.dismissals.window', 'The `contact.dismissals.window` is required, e.g. "30d".');
    else c.duration(k.dismissals.window, 'contact.dismissals.window');
  }
  if (k.quietHours !== undefined && c.object(k.quietHours, 'contact.quietHours')) {
    const q = k.quietHours;
    c.known(q, 'contact.quietHours', ['from', 'to', 'channels', 'timezone']);
    c.clock(q.from, 'contact.quietHours.from');
    if (c.clock(q.to, 'contact.quietHours.to') && q.from === q.to) c.add('contact.quietHours.to', `The \`contact.quietHours.to\` is the same time as \`from\` (${String(q.from)}): such quiet hours would never apply. For none, leave \`quietHours\` out; for no contact at all on a channel, use a cap with \`max: 0\`.`);
    if (c.strings(q.channels, 'contact.quietHours.channels') && isEmpty(q.channels)) c.add('contact.quietHours.channels', 'The `contact.quietHours.channels` is empty: such quiet hours would apply on no channel. Name the channels, or leave `channels` out for quiet hours on every channel.');
    if (q.timezone !== undefined && !validZone(q.timezone)) c.add('contact.quietHours.timezone', 'The `contact.quietHours.timezone` must be an IANA time zone such as "Europe/London".');
  }
  if (c.list(k.budgets, 'contact.budgets')) {
    k.budgets.forEach((b, i) => {
      const at = `contact.budgets[${i}]`;
      if (!c.object(b, at)) return;
      c.known(b, at, ['name', 'channel', 'max', 'window', 'borrowAfter']);
      c.string(b.name, `${at}.name`, true);
      c.string(b.channel, `${at}.channel`);
      c.number(b.max, `${at}.max`, { min: 0, integer: true, optional: false });
      if (b.window === undefined) c.add(`${at}.window`, `The \`${at}.window\` is required, e.g. "1d".`);
      else if (c.duration(b.window, `${at}.window`)) checkWholeMinutes(c, b.window, `${at}.window`);
      c.number(b.borrowAfter, `${at}.borrowAfter`, { min: 0, max: 1 });
    });
  }
  // Caps and budgets exclude in one stage, under their names: one namespace (policy-names.ts).
  checkUniqueNames(c, contactItems(k.caps, k.budgets, checkBudgetWindows(c, k.budgets)));
}

/**
 * A lever multiplies a score: 0 scores its actions as worth nothing, but ε-greedy exploration
 * draws among every candidate whatever its score, so they are still chosen now and then — a
 * "pause" by weight 0 silently is none. A rule stops them.
 */
function checkWeight(c: Checker, w: unknown, field: string): void {
  if (w === 0) c.add(field, `The \`${field}\` is 0: the actions it applies to would score as worth nothing, yet exploration would still choose them now and then. To stop offering them, write a rule (\`rules\`); a lever's weight is above 0 (below 1 lowers, above 1 raises).`);
  else if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) c.add(field, `The \`${field}\` must be a number above 0 (below 1 lowers the score, above 1 raises it).`);
  // A product of scores beyond a double's range reads Infinity (the answer showed null, the log 0).
  else if (w > MAX_LEVER_WEIGHT) c.add(field, `The \`${field}\` is ${w}: a lever multiplies a score at most ${MAX_LEVER_WEIGHT.toLocaleString('en-US')}-fold (more is most likely a typo, and a product beyond a number's range would read as Infinity).`);
}

/** The largest weight a lever may have: its product with values and other levers stays finite. */
export const MAX_LEVER_WEIGHT = 1_000_000;

/**
 * A budget's volume is counted per channel, action and minute (the ledger's buckets, and the log's
 * `contactVolumes` at start), so its windows must start and end on whole minutes: a "90s" window
 * starting at 12:01:30 would count the minute 12:01 whole or not at all.
 */
function checkWholeMinutes(c: Checker, window: unknown, field: string): void {
  const v = parseDuration(window);
  // Whole ms first: "1.1h" is 3,960,000.0000000005 ms in doubles, and compiled as 3,960,000 (policy-compile.ts).
  if (v !== undefined && Math.round(v) % 60_000 !== 0) c.add(field, `The \`${field}\` (${String(window)}) must be a whole number of minutes, such as "1h" or "1d": the budget's volume is counted per minute.`);
}

function checkOutcomes(c: Checker, o: Record<string, unknown>): void {
  c.known(o, 'outcomes', ['events', 'rewards', 'attribution']);
  if (o.events !== undefined && c.object(o.events, 'outcomes.events')) {
    for (const [name, m] of Object.entries(o.events)) {
      const at = `outcomes.events.${name}`;
      if (!c.object(m, at)) continue;
      c.known(m, at, ['type', 'value']);
      c.string(m.type, `${at}.type`);
      c.string(m.value, `${at}.value`, true);
    }
  }
  if (o.rewards !== undefined && c.object(o.rewards, 'outcomes.rewards')) {
    for (const [type, r] of Object.entries(o.rewards)) {
      if (r !== 'value' && !(typeof r === 'number' && Number.isFinite(r))) c.add(`outcomes.rewards.${type}`, `The \`outcomes.rewards.${type}\` must be a number or "value" (the outcome's own value, e.g. its revenue).`);
    }
  }
  if (o.attribution !== undefined && c.object(o.attribution, 'outcomes.attribution')) {
    c.known(o.attribution, 'outcomes.attribution', ['window', 'model']);
    c.duration(o.attribution.window, 'outcomes.attribution.window');
    c.oneOf(o.attribution.model, 'outcomes.attribution.model', ['last', 'even']);
  }
}

/** Whether the runtime knows an IANA time zone. @example validZone('Europe/London') // true */
export function validZone(tz: unknown): boolean {
  if (typeof tz !== 'string' || !tz) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The most prior strength a policy may give its estimates' ladder (pseudo-trials). */
export const MAX_POLICY_STRENGTH = 1e9;

/**
 * A prior strength of the estimates' ladder (κ, in pseudo-trials) is at least the rate model's
 * floor, MIN_CONCENTRATION = 2: one trial moves a Beta(κm, κ(1 − m)) prior 1/(κ + 1) of the way to
 * its result, so with a tiny strength a single trial would look certain (0% or 100%).
 *
 * @example
 * checkStrength(c, 0.01, 'estimates.personalStrength'); // "The `estimates.personalStrength` must be at least 2 …"
 */
function checkStrength(c: Checker, v: unknown, field: string): void {
  if (!c.number(v, field) || v === undefined) return;
  // A billion pseudo-trials pins an estimate at its prior mean (a simulation's fixed rates use it);
  // far past it the Beta's quantiles are not numbers (at 1e200 the interval was answered null, "established").
  if ((v as number) > MAX_POLICY_STRENGTH) {
    c.add(field, `The \`${field}\` must be at most ${MAX_POLICY_STRENGTH.toLocaleString('en-US')} (it is ${String(v)}): a prior strength counts pseudo-trials, a billion already pins the estimate at its prior mean whatever the evidence, and beyond it the interval cannot be computed.`);
    return;
  }
  if ((v as number) >= MIN_CONCENTRATION) return;
  c.add(field, `The \`${field}\` must be at least ${MIN_CONCENTRATION} (it is ${String(v)}): a prior strength counts pseudo-trials, and below ${MIN_CONCENTRATION} one trial moves the estimate more than a third of the way to 0% or 100% (nearly all the way as the strength nears 0), as if one trial were certain. The rate model floors its fitted strengths at ${MIN_CONCENTRATION} too.`);
}
