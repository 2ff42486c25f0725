import { parseDuration } from '../profiles/features/definition.js';
import type { Checker } from './check.js';
import type { Budget, Cap } from './policy.js';

/**
 * A window as an operator reads it, in its largest whole unit ("7 days", "36 h", "90 min", "90 s").
 *
 * @example
 * windowSpan(604_800_000); // '7 days'
 */
export function windowSpan(windowMs: number): string {
  const ms = Math.round(windowMs); // "1.1h" parses to 3,960,000.0000000005 ms
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/**
 * The name of a cap the policy names none: what it limits and how much, so two unnamed caps are
 * told apart by their settings, and a cap keeps its name when caps are added before it or reordered
 * (a name by position, "cap 2", would move to another cap and mislabel the decisions logged since).
 *
 * @example
 * capName({ channel: 'email', max: 2, window: '7d' }); // 'email cap (2 per 7 days)'
 */
export function capName(cap: Pick<Cap, 'channel' | 'topic' | 'action' | 'max' | 'window'>, windowMs = parseDuration(cap.window) ?? 0): string {
  const what = [cap.action ? `"${cap.action}"` : '', cap.topic ?? '', cap.channel ?? ''].filter(Boolean).join(' ');
  return `${what ? `${what} ` : ''}cap (${cap.max} per ${windowSpan(windowMs)})`;
}

/**
 * The name of a budget the policy names none: its channel, max and window (one budget per channel
 * and window: policy-check.ts).
 *
 * @example
 * budgetName({ channel: 'email', max: 500, window: '1d' }); // 'email budget (500 per 1 day)'
 */
export function budgetName(b: Pick<Budget, 'channel' | 'max' | 'window'>, windowMs = parseDuration(b.window) ?? 0): string {
  return `${b.channel} budget (${b.max} per ${windowSpan(windowMs)})`;
}

/** What an item's name is for: the sentence a duplicate's problem gives. */
const EFFECT = {
  rule: 'an explanation names the rule that excluded an action',
  'human territory': 'a handoff and its explanation name the human territory',
  lever: 'a decision\'s trace names the levers that weighed on a score',
  cap: 'an explanation names the cap that excluded an action',
  budget: 'an explanation names the budget that excluded an action',
} as const;
type Noun = keyof typeof EFFECT;

/** Names the stages give their own exclusions, in the same stage as the items that may not take them. */
const OWN = 'an action\'s own rule of that stage: an exclusion by the rule could not be told from one by it';
const RESERVED: Partial<Record<Noun, Record<string, string>>> = {
  rule: { 'own eligibility rule': OWN, 'own applicability rule': OWN, 'own suitability rule': OWN },
  cap: { 'quiet hours': 'the contact policy\'s quiet hours: an exclusion by the cap could not be told from one by them', dismissals: 'the contact policy\'s dismissal suppression: an exclusion by the cap could not be told from one by it' },
  budget: { 'quiet hours': 'the contact policy\'s quiet hours: an exclusion by the budget could not be told from one by them', dismissals: 'the contact policy\'s dismissal suppression: an exclusion by the budget could not be told from one by it' },
  'human territory': { review: 'a reviewer\'s rejection: an exclusion by the human territory could not be told from one by it' },
};

/** One item of a list whose names must differ: where it is, its name, and whether the policy gave it. */
export interface NamedItem {
  at: string;
  noun: Noun;
  name: string;
  given: boolean;
}

/**
 * The items of a list that name themselves (`name` a non-empty string; a bad one is `check`'s problem).
 *
 * @example
 * namedItems([{ name: 'adults' }], 'rules', 'rule'); // [{ at: 'rules[0]', noun: 'rule', name: 'adults', given: true }]
 */
export function namedItems(list: unknown, at: string, noun: Noun): NamedItem[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((x, i) => {
    const name = (x as Record<string, unknown> | null)?.name;
    return typeof name === 'string' && name.trim() ? [{ at: `${at}[${i}]`, noun, name, given: true }] : [];
  });
}

/**
 * Names tell the items of a policy apart in explanations, handoffs, traces and the decision log:
 * a second item of one name (among the rules, levers, human territory; among the caps and budgets
 * together, which exclude in one stage) could not be told from the first, and is a problem naming
 * both. So is a name a stage gives its own exclusions. An unnamed cap or budget is named by its
 * settings ({@link capName}): two alike are one limit written twice.
 *
 * @example
 * checkUniqueNames(c, [...namedItems(body.rules, 'rules', 'rule')]); // "The `rules[2].name` "adults" is already the name of `rules[0]`: …"
 */
export function checkUniqueNames(c: Checker, items: readonly NamedItem[]): void {
  const first = new Map<string, NamedItem>();
  for (const it of items) {
    const reserved = it.given ? RESERVED[it.noun]?.[it.name] : undefined;
    if (reserved) {
      c.add(`${it.at}.name`, `The \`${it.at}.name\` "${it.name}" is the name explanations give ${reserved}. Give the ${it.noun} another name.`);
      continue;
    }
    const was = first.get(it.name);
    if (!was) {
      first.set(it.name, it);
      continue;
    }
    if (!it.given && !was.given) c.add(it.at, `The \`${it.at}\` has no name and limits what \`${was.at}\` limits, as much ("${it.name}"): the two count the same contacts. Remove one, or name them apart.`);
    else if (!it.given) c.add(it.at, `The \`${it.at}\` has no name, and the name it is given by what it limits ("${it.name}") is already the name of \`${was.at}\`: ${EFFECT[it.noun]}, and would not say which of the two. Name it.`);
    else c.add(`${it.at}.name`, `The \`${it.at}.name\` "${it.name}" is already the name of \`${was.at}\`${was.given ? '' : ` (the name an unnamed ${was.noun} is given)`}: ${EFFECT[it.noun]}, and would not say which of the two. Give each ${it.noun} its own name.`);
  }
}

/**
 * The caps and budgets as named items: a given name, else the one their settings give (an item
 * whose window or max is not valid is left out: `check` names its problem).
 */
export function contactItems(caps: unknown, budgets: unknown, skip: ReadonlySet<string>): NamedItem[] {
  const items: NamedItem[] = [];
  const each = (list: unknown, at: string, noun: 'cap' | 'budget') => {
    if (!Array.isArray(list)) return;
    list.forEach((x, i) => {
      if (!x || typeof x !== 'object' || skip.has(`${at}[${i}]`)) return;
      const o = x as Record<string, unknown>;
      if (typeof o.name === 'string') {
        if (o.name.trim()) items.push({ at: `${at}[${i}]`, noun, name: o.name, given: true });
        return;
      }
      const windowMs = parseDuration(o.window);
      if (windowMs === undefined || typeof o.max !== 'number') return;
      if (noun === 'cap') items.push({ at: `${at}[${i}]`, noun, name: capName(o as unknown as Cap, windowMs), given: false });
      else if (typeof o.channel === 'string') items.push({ at: `${at}[${i}]`, noun, name: budgetName(o as unknown as Budget, windowMs), given: false });
    });
  };
  each(caps, 'contact.caps', 'cap');
  each(budgets, 'contact.budgets', 'budget');
  return items;
}

/**
 * Two budgets on one channel over one window ("1d" and "24h" are one): the smaller max binds alone,
 * and a shared store (PostgreSQL's exact budget check) keys a window's use by channel and window,
 * so each decision was taken from it once per budget — every contact counted twice. Returns the
 * budgets it named, whose names are then not checked again.
 */
export function checkBudgetWindows(c: Checker, budgets: unknown): Set<string> {
  const named = new Set<string>();
  if (!Array.isArray(budgets)) return named;
  const first = new Map<string, string>();
  budgets.forEach((b, i) => {
    const o = (b ?? {}) as Record<string, unknown>;
    const windowMs = parseDuration(o.window);
    if (typeof o.channel !== 'string' || windowMs === undefined) return;
    const at = `contact.budgets[${i}]`;
    const key = `${o.channel}\u0000${Math.round(windowMs)}`;
    const was = first.get(key);
    if (!was) {
      first.set(key, at);
      return;
    }
    named.add(at);
    c.add(at, `The \`${at}\` limits the channel \`${o.channel}\` over the same window as \`${was}\` (${windowSpan(windowMs)}): the one with the smaller max would bind alone, and a shared store counts a channel's window once, not per budget. Keep one budget per channel and window.`);
  });
  return named;
}
