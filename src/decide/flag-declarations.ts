import { FILE_AUTHOR } from '../config/author.js';
import { type DocumentKind, unknownFields } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { accountId } from '../identity/accounts.js';
import { MAX_IDENTIFIER_LENGTH } from '../identity/identifiers.js';
import { whyBlocked, withDefaults, type MergeRules, type MergeRulesDocument } from '../identity/merge-rules.js';
import { neverIdentifies } from '../profiles/lookup.js';
import type { Flag } from './records.js';
import type { FlagInput } from './flags.js';

/** One flag as the config file declares it: on a subject (any identifier) or an account. */
export interface FlagDeclaration {
  subject?: string;
  account?: string;
  name: string;
  note: string;
  /** ISO-8601 expiry. */
  until?: string;
}

/** A flag's name: rules read it as `flags.<name>` (POST /v1/flags and the declarations refuse any other). */
export const FLAG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * CEL's keywords and reserved words (the CEL language definition, "Syntax": `in`, `true`, `false`,
 * `null`, and those kept for the future), which cannot follow `flags.` in a rule: `flags.in` is
 * refused as not valid CEL (QA 2026-12-06: POST /v1/flags took `in`, `true` and `null`).
 */
const CEL_RESERVED = new Set(['false', 'in', 'null', 'true', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/**
 * Why a flag name cannot be one (undefined when it can): rules read it as `flags.<name>`, so it is
 * an identifier, and not one of CEL's reserved words.
 *
 * @example
 * flagNameProblem('in'); // 'The `name` `in` is a word CEL reserves: …'
 */
export function flagNameProblem(name: unknown, field = 'name'): string | undefined {
  if (typeof name !== 'string' || !FLAG_NAME.test(name)) return `The \`${field}\` must start with a letter or \`_\` and hold only letters, digits and \`_\` (rules read it as \`flags.<name>\`).`;
  if (CEL_RESERVED.has(name)) return `The \`${field}\` \`${name}\` is a word CEL reserves: no rule could read \`flags.${name}\` (it is not valid CEL). Choose another name, e.g. \`${name}_flag\`.`;
  return undefined;
}

/**
 * The field a flag naming neither a subject nor an account is told of: `account` when it sent an
 * empty one (until 2026-12-05 `{"account": ""}` was refused naming `subject`), else `subject`.
 *
 * @example
 * oneOfField({ account: '' }); // 'account'
 */
export function oneOfField(d: { subject?: unknown; account?: unknown }): 'subject' | 'account' {
  return d.account === '' && !d.subject ? 'account' : 'subject';
}

/**
 * Why an account id can never name an account, or undefined when it can: blank, on the merge
 * rules' blocked list ("null", "undefined", "0" …) or longer than an identifier may be — a group()
 * call with it makes no account (src/identity/accounts.ts), so a flag or a human territory on it
 * would never apply, though it was stored as if it would once the account had members. `effect`
 * says what would not happen.
 *
 * @example
 * accountIdProblem('null', 'account', 'the flag would apply to no one', DEFAULT_MERGE_RULES);
 * // 'The `account` `null` can never be an account: the value "null" is on the blocked list of the merge rules, so no group() call makes it and the flag would apply to no one.'
 */
export function accountIdProblem(raw: string, field: string, effect: string, rules: MergeRules): string | undefined {
  const id = accountId(raw);
  if (id === '') return blankAccount(raw, field, effect);
  const why = id.length > MAX_IDENTIFIER_LENGTH ? `it is ${id.length} characters long, and an account id may be at most ${MAX_IDENTIFIER_LENGTH}` : whyBlocked(rules, id);
  return why ? `The \`${field}\` \`${id}\` can never be an account: ${why}, so no group() call makes it and ${effect}.` : undefined;
}

/** The sentence for an account id that is empty or only white space (no merge rules needed to say so). */
export function blankAccount(raw: string, field: string, effect: string): string {
  return `The \`${field}\` is ${raw ? 'blank (only white space)' : 'empty'}: it names no account, so ${effect}.`;
}

/** The merge rules in force among `documents` (the defaults when none was written). */
export async function storedMergeRules(documents: Pick<DocumentStore, 'latest'>): Promise<MergeRules> {
  return withDefaults((await documents.latest<MergeRulesDocument>('merge-rules'))?.body);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * An expiry as ms: an ISO-8601 date ("2027-01-15", midnight UTC) or a time with its offset
 * ("2027-01-15T09:00:00Z"); undefined for anything else — "01/02/2030" is a different day on each
 * side of the Atlantic, and a time without an offset would be the server's local time.
 *
 * @example
 * parseUntil('2027-01-15'); // 1799971200000
 */
export function parseUntil(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
const KEYS = ['subject', 'account', 'name', 'note', 'until'] satisfies (keyof FlagDeclaration)[];

/** Checks a list of flag declarations; every problem names its field. */
export function checkFlagDeclarations(body: unknown): FieldProblem[] {
  if (!Array.isArray(body)) return [{ field: 'flags', message: 'The `flags` section must be a list of { subject | account, name, note, until? }.' }];
  const out: FieldProblem[] = [];
  // A flag declared twice was cleared and added again at every reconciliation (one note, then the other).
  const seen = new Map<string, number>();
  body.forEach((f: unknown, i) => {
    const at = `flags[${i}]`;
    if (!f || typeof f !== 'object' || Array.isArray(f)) return void out.push({ field: at, message: 'Each flag must be an object.' });
    const d = f as Record<string, unknown>;
    // A misspelt `until` would be ignored: the flag would never expire.
    out.push(...unknownFields(d, KEYS, at));
    if (!!d.subject === !!d.account) out.push({ field: `${at}.${oneOfField(d)}`, message: 'Name exactly one of `subject` (any identifier of a person) or `account` (an account id).' });
    for (const k of ['subject', 'account', 'note'] as const) if (d[k] !== undefined && typeof d[k] !== 'string') out.push({ field: `${at}.${k}`, message: `\`${k}\` must be a string.` });
    // One of spaces names no one: the flag was stored on the account "" (or its subject never found), and never applied.
    for (const k of ['subject', 'account'] as const) {
      const v = d[k];
      if (typeof v === 'string' && v && !v.trim()) out.push({ field: `${at}.${k}`, message: k === 'account' ? blankAccount(v, `${at}.account`, 'the flag would apply to no one') : `The \`${at}.subject\` is blank (only white space): it names no one, so the flag would apply to no one.` });
    }
    const nameProblem = flagNameProblem(d.name);
    if (nameProblem) out.push({ field: `${at}.name`, message: nameProblem });
    if (typeof d.note !== 'string') out.push({ field: `${at}.note`, message: 'Each flag needs a `note` saying why (people read it months later).' });
    else if (!d.note.trim()) out.push({ field: `${at}.note`, message: `The \`${at}.note\` is ${d.note ? 'blank (only white space)' : 'empty'}: each flag needs a \`note\` saying why, in words (people read it months later).` });
    if (d.until !== undefined && (typeof d.until !== 'string' || parseUntil(d.until) === undefined)) out.push({ field: `${at}.until`, message: 'The `until` must be an ISO-8601 date such as "2027-01-15", or a time with its offset such as "2027-01-15T09:00:00Z".' });
    const on = typeof d.subject === 'string' && d.subject ? ['subject', d.subject] : typeof d.account === 'string' && d.account ? ['account', d.account] : undefined;
    if (!on || typeof d.name !== 'string') return;
    const key = JSON.stringify([...on, d.name]);
    const j = seen.get(key);
    if (j === undefined) seen.set(key, i);
    else out.push({ field: at, message: `The \`${at}\` declares the flag \`${d.name}\` on the ${on[0]} \`${on[1]}\` again (\`flags[${j}]\` declares it): declare each flag once.` });
  });
  return out;
}

/** The author a declared flag is recorded with; flags with it are the ones the file manages. */
export const DECLARED_BY = FILE_AUTHOR;

/**
 * Flags declared in configuration (`flags:` in tact.config.yaml or PUT /v1/config/flags): each
 * version is reconciled with the stored flags — a declared flag that is not open is added, an
 * open flag the file added earlier and no longer declares is cleared. Flags people add through
 * the API are never touched.
 *
 * @example
 * flags:
 *   - { account: acme, name: procurement_delay, note: pause automated sequences, until: 2027-01-15 }
 */
export const flagsKind: DocumentKind<FlagDeclaration[], FlagDeclaration[]> = {
  kind: 'flags',
  configKey: 'flags',
  description: 'Relationship context declared in configuration: flags on subjects or accounts, with a note and an expiry.',
  empty: [],
  check: checkFlagDeclarations,
  checkStored: checkDeclaredAccounts,
  compile: (body) => body,
};

/**
 * A declared flag on an account id the merge rules in force block (`null`, `undefined` …) or that
 * is too long to be one: no such account is ever made, so the flag would never apply.
 */
async function checkDeclaredAccounts(body: FlagDeclaration[], documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  if (!body.some((d) => typeof d.account === 'string' || typeof d.subject === 'string')) return [];
  const rules = await storedMergeRules(documents);
  const out: FieldProblem[] = [];
  body.forEach((d, i) => {
    const message = typeof d.account === 'string' ? accountIdProblem(d.account, `flags[${i}].account`, 'the flag would apply to no one', rules) : undefined;
    if (message) out.push({ field: `flags[${i}].account`, message });
    // A subject no profile can ever hold (`null`, `userId:undefined`): the flag would wait for it
    // for ever, "retried at the next change" (until 2026-12-05 it was taken; POST /v1/flags refused it).
    const never = typeof d.subject === 'string' && d.subject.trim() ? neverIdentifies(d.subject, rules) : undefined;
    if (never) out.push({ field: `flags[${i}].subject`, message: `The \`flags[${i}].subject\` \`${d.subject}\` can never name a profile: ${never}, so the flag would apply to no one.` });
  });
  return out;
}

/** Who a declaration names, as a stable key (the subject's profile is resolved by the caller). */
function keyOf(target: Flag['target'], name: string): string {
  return `${target.kind}:${target.id}:${name}`;
}

/**
 * What to do to make the open flags match the declarations: flags to add and flag ids to clear.
 * Pure: `resolve` maps a declaration to its target (undefined when its subject has no profile yet —
 * it is skipped and reported).
 *
 * @example
 * reconcileFlags(decls, open, (d) => ({ kind: 'account', id: d.account! }), now) // { add: [...], clear: ['f1'], unresolved: [] }
 */
export function reconcileFlags(decls: readonly FlagDeclaration[], open: readonly Flag[], resolve: (d: FlagDeclaration) => Flag['target'] | undefined, now: number, by: string = DECLARED_BY): { add: FlagInput[]; clear: string[]; unresolved: FlagDeclaration[] } {
  const live = open.filter((f) => f.clearedAt === null && (f.until === null || f.until > now));
  const have = new Map(live.map((f) => [keyOf(f.target, f.name), f]));
  const wanted = new Set<string>();
  const add: FlagInput[] = [];
  const clear: string[] = [];
  const unresolved: FlagDeclaration[] = [];
  for (const d of decls) {
    const target = resolve(d);
    if (!target) {
      unresolved.push(d);
      continue;
    }
    const key = keyOf(target, d.name);
    // Two identifiers of one person declaring one flag: the first declaration is the flag.
    if (wanted.has(key)) continue;
    wanted.add(key);
    const cur = have.get(key);
    const until = d.until === undefined ? null : (parseUntil(d.until) ?? NaN);
    // Over already: nothing to add, and an open flag the file added earlier ends now (an operator
    // moving `until` into the past means "stop", not "keep the old expiry").
    if (until !== null && !(until > now)) {
      if (cur && isDeclared(cur)) clear.push(cur.id);
      continue;
    }
    if (cur && (!isDeclared(cur) || (cur.note === d.note && cur.until === until))) continue;
    if (cur) clear.push(cur.id);
    add.push({ ...(d.subject ? { subject: d.subject } : { account: d.account }), name: d.name, note: d.note, ...(d.until ? { until: d.until } : {}), author: by });
  }
  for (const f of live) if (isDeclared(f) && !wanted.has(keyOf(f.target, f.name))) clear.push(f.id);
  return { add, clear, unresolved };
}

/**
 * Whether a flag is one the declarations manage: added by a declarations version (its id is
 * `declared-…`, src/decide/flags.ts), whoever wrote that version — or, before 2026-12-05, by its
 * author `config-file`, which every declared flag carried, those of a PUT /v1/config/flags too.
 *
 * @example
 * isDeclared({ id: 'declared-3f…', author: 'ana', … }); // true
 */
export function isDeclared(f: Pick<Flag, 'id' | 'author'>): boolean {
  return f.id.startsWith('declared-') || f.author === DECLARED_BY;
}
