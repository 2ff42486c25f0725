import { createHash } from 'node:crypto';
import { TactError, validationError } from '../errors/tact-error.js';
import { DEFAULT_MERGE_RULES, type MergeRules } from '../identity/merge-rules.js';
import { newProfileId } from '../identity/profile-id.js';
import { findProfile, neverIdentifies, profileNotFound } from '../profiles/lookup.js';
import { mergedInto } from '../profiles/merged-ids.js';
import type { Store } from '../store/store.js';
import { accountId } from '../identity/accounts.js';
import type { DecideState } from './decide-state.js';
import { accountIdProblem, DECLARED_BY, flagNameProblem, type FlagDeclaration, isDeclared, oneOfField, parseUntil, reconcileFlags } from './flag-declarations.js';
import type { Flag } from './records.js';
import { andList } from '../errors/words.js';

/** Why a flag, or a listing of flags, naming both a subject and an account (or neither, to add one) is refused. */
const ONE_TARGET = 'Name exactly one of `subject` (any identifier of a person) or `account` (an account id).';

/** A flag as listed for a subject: one of an account it belongs to carries the account's id. */
export type ListedFlag = Flag & { account?: string };

/** What an operator sends to flag a subject or an account. */
export interface FlagInput {
  subject?: string;
  account?: string;
  name: string;
  note: string;
  /** ISO-8601 expiry; absent = until cleared. */
  until?: string;
  author: string;
}

/**
 * Relationship context as data: flags on a subject or an account, with an expiry, usable in
 * rules as `flags.<name>` and in human territory. Cleared flags are kept (who cleared, when).
 *
 * @example
 * await flags.add({ account: 'acme', name: 'procurement_delay', note: 'pause automated sequences', until: '2027-01-15', author: 'kim' });
 */
export class Flags {
  constructor(private readonly store: Store, private readonly state: DecideState, private readonly now: () => number) {}

  /**
   * Adds a flag (`id` given: the same flag however many processes add it — an upsert). `declared`:
   * from configuration, already checked against the clock by the reconciliation. `rules`: the
   * merge rules in force, whose kinds a subject no profile holds is checked against (`emial:`).
   */
  async add(i: FlagInput, id: string = newProfileId(), declared = false, rules: MergeRules = DEFAULT_MERGE_RULES): Promise<Flag> {
    const flag = await this.made(i, id, declared, rules);
    await this.store.decisions.putFlag(flag);
    this.state.putFlag(flag);
    return flag;
  }

  /**
   * Adds a flag sent with a `messageId` (POST /v1/flags) once. Sent again — a retry whose answer
   * was lost, after a restart, or to another process on the same database — it is answered the
   * flag the first call added, as it is now (cleared since, if it was), with `duplicate`; until
   * 2026-12-06 each retry added another flag. The same `messageId` with another body is a 409
   * naming `messageId` and the fields that differ: a new flag takes a new id.
   *
   * @example
   * await flags.addOnce({ account: 'acme', name: 'procurement_delay', note: 'pause', author: 'kim' }, 'm-1'); // { flag, duplicate: false }
   */
  async addOnce(i: FlagInput, messageId: string, rules: MergeRules = DEFAULT_MERGE_RULES): Promise<{ flag: Flag; duplicate: boolean }> {
    const hash = requestHash(i);
    // Before the checks: a retry sent once `until` has passed (or the subject is gone) still learns its flag was added.
    const before = await this.store.decisions.flagOfMessage(messageId);
    const sent = before ? { ...before, stored: false } : await this.store.decisions.putFlagOnce(await this.made(i, newProfileId(), false, rules), messageId, hash);
    if (sent.requestHash !== hash) throw messageIdReused(messageId, sent.flag, i);
    // Another process's flag (or another call's, stored a moment before this one's) is held here at once, as the answer says it is.
    this.state.putFlag(sent.flag);
    return { flag: sent.flag, duplicate: !sent.stored };
  }

  /** The flag `i` asks for, checked: `add`'s checks, none of them written. */
  private async made(i: FlagInput, id: string, declared: boolean, rules: MergeRules): Promise<Flag> {
    if (!!i.subject === !!i.account) throw validationError([{ field: oneOfField(i), message: ONE_TARGET }]);
    const nameProblem = flagNameProblem(i.name);
    if (nameProblem) throw validationError([{ field: 'name', message: nameProblem }]);
    const until = i.until === undefined ? null : (parseUntil(i.until) ?? NaN);
    if (until !== null && Number.isNaN(until)) throw validationError([{ field: 'until', message: 'The `until` must be an ISO-8601 date such as "2027-01-15" (midnight UTC), or a time with its offset such as "2027-01-15T09:00:00Z".' }]);
    // A flag that is over before it starts would be stored and never apply: most likely a typo in the year.
    if (until !== null && !declared && until <= this.now()) throw validationError([{ field: 'until', message: `The \`until\` ${i.until} has already passed: a flag must expire in the future (omit \`until\` for a flag that lasts until cleared).` }]);
    let target: Flag['target'];
    if (i.subject) {
      const found = await findProfile(this.store.profiles, i.subject);
      if (!found) throw subjectMiss(i.subject, rules);
      target = { kind: 'profile', id: found.profileId };
    } else {
      // An id no group() call can make (blank, "null" …) names no account ever: until 2026-12-05 the
      // flag was stored on it, with a warning that it would apply once the account had members.
      // Declared flags were checked as the declarations were written (flag-declarations.ts).
      const blocked = declared ? undefined : accountIdProblem(i.account as string, 'account', 'the flag would apply to no one', rules);
      if (blocked) throw validationError([{ field: 'account', message: blocked }]);
      // An account id as a group() call makes it (trimmed): a flag on " acme " is acme's.
      target = { kind: 'account', id: accountId(i.account as string) };
    }
    return { id, target, name: i.name, note: i.note, until, author: i.author, createdAt: this.now(), clearedAt: null, clearedBy: null };
  }

  async clear(id: string, by: string): Promise<Flag> {
    const f = await this.store.decisions.getFlag(id);
    if (!f) throw new TactError('not_found', { what: 'flag', id });
    if (f.clearedAt !== null) return f;
    const cleared = { ...f, clearedAt: this.now(), clearedBy: by };
    await this.store.decisions.putFlag(cleared);
    this.state.putFlag(cleared);
    return cleared;
  }

  /**
   * Makes the open flags match the ones configuration declares (see flag-declarations.ts).
   * A declared subject without a profile yet is skipped and returned, to be retried at the
   * next change of the document or restart.
   */
  async reconcile(decls: readonly FlagDeclaration[], version: number, by: string = DECLARED_BY): Promise<{ added: number; cleared: number; unresolved: FlagDeclaration[] }> {
    const targets = new Map<FlagDeclaration, Flag['target']>();
    for (const d of decls) {
      if (d.account) targets.set(d, { kind: 'account', id: accountId(d.account) });
      else if (d.subject) {
        const found = await findProfile(this.store.profiles, d.subject);
        if (found) targets.set(d, { kind: 'profile', id: found.profileId });
      }
    }
    const open = (await this.store.decisions.openFlags()).filter((f) => isDeclared(f) || decls.some((d) => d.name === f.name));
    // `by`: the author of the declarations version in force — the config file, or whoever PUT it.
    const plan = reconcileFlags(decls, open, (d) => targets.get(d), this.now(), by);
    for (const id of plan.clear) await this.clear(id, by);
    // Ids from the declarations' version, what they declare and how many such flags were cleared
    // before: processes that start together write the same row, so a declared flag is never
    // doubled; one re-added after a person cleared it is a new row, so the clearing stays in the history.
    const targetOf = new Map(decls.map((d) => [`${d.subject ?? ''}|${d.account ?? ''}`, targets.get(d)]));
    for (const a of plan.add) {
      const target = targetOf.get(`${a.subject ?? ''}|${a.account ?? ''}`);
      // Cleared ones only: a process that sees another's fresh row must still compute the same id.
      const before = target ? (await this.store.decisions.flagsOf(target)).filter((f) => f.name === a.name && isDeclared(f) && f.clearedAt !== null).length : 0;
      await this.add(a, declaredFlagId(version, before, a), true);
    }
    return { added: plan.add.length, cleared: plan.clear.length, unresolved: plan.unresolved };
  }

  /**
   * Flags of a subject (any identifier) or an account, cleared ones included, or every open flag
   * when neither is given; both is refused as `add` refuses it (until 2026-12-05 the account was
   * dropped unseen). A subject's include the open flags of its accounts, which rules read for it,
   * each with `account` (until 2026-12-06 they were missing: QA). `rules` as for `add`.
   */
  async of(q: { subject?: string; account?: string }, rules: MergeRules = DEFAULT_MERGE_RULES): Promise<ListedFlag[]> {
    if (q.subject && q.account) throw validationError([{ field: oneOfField(q), message: ONE_TARGET }]);
    if (q.subject) {
      const found = await findProfile(this.store.profiles, q.subject);
      if (!found) throw profileNotFound(q.subject, rules, 'subject');
      return this.ofProfile(found.profileId, (await this.store.profiles.memberships(found.profileId)).map((m) => m.accountId));
    }
    if (q.account) return this.store.decisions.flagsOf({ kind: 'account', id: accountId(q.account) });
    return this.store.decisions.openFlags();
  }

  /**
   * A profile's flags, cleared ones included — with those set on the profiles merged into it since —
   * and the open flags of `accounts` (its accounts), each with `account`: `of` for a subject, given
   * the profile (GET /v1/profiles has it, and its memberships, already).
   */
  async ofProfile(profileId: string, accounts: readonly string[]): Promise<ListedFlag[]> {
    const keys = [profileId, ...(await mergedInto(this.store.profiles, profileId))];
    const own = (await Promise.all(keys.map((id) => this.store.decisions.flagsOf({ kind: 'profile', id })))).flat();
    const theirs = (await Promise.all([...new Set(accounts)].map((id) => this.store.decisions.flagsOf({ kind: 'account', id })))).flat();
    return [...own, ...theirs.filter((f) => f.clearedAt === null).map((f) => ({ ...f, account: f.target.id }))];
  }
}

/**
 * The 400 for a flag's subject no profile holds, naming the field; when its kind is near one of
 * Tact's (`emial:`), profileNotFound's sentence goes on to say which was likely meant, with `suggestion`.
 */
function subjectMiss(subject: string, rules: MergeRules): TactError {
  const plain = `The \`subject\` \`${subject}\` matches no profile`;
  // A blank or blocked value is never an identifier (accounts and identities alike): no profile will
  // ever hold it — also after a kind of Tact's own (`userId:undefined`; until 2026-12-05 only bare values were told so).
  const never = subject.trim() === '' ? 'it is blank (only white space)' : neverIdentifies(subject, rules);
  if (never) return validationError([{ field: 'subject', message: `${plain}, and none ever will: ${never}.` }]);
  const e = profileNotFound(subject, rules);
  const opening = `No profile matches \`${subject}\``;
  if (e.code !== 'unknown_identifier_kind' || !e.message.startsWith(opening)) return validationError([{ field: 'subject', message: `${plain}.` }]);
  return validationError([{ field: 'subject', message: `${plain}${e.message.slice(opening.length)}` }], e.extra);
}

/**
 * The fingerprint of a flag's request, kept with a flag added with a `messageId`: the same for a
 * retry of it. Of what the flag is made from — the account as a group() call takes it, `until` as
 * the instant it names (`2027-01-15` is `2027-01-15T00:00:00Z`), the author the key resolved to.
 *
 * @example
 * requestHash({ account: ' acme ', name: 'pause', note: 'n', author: 'kim' }) === requestHash({ account: 'acme', name: 'pause', note: 'n', author: 'kim' }) // true
 */
export function requestHash(i: FlagInput): string {
  const until = i.until === undefined ? null : (parseUntil(i.until) ?? i.until);
  const what = JSON.stringify([i.subject ?? null, i.account === undefined ? null : accountId(i.account), i.name, i.note, until, i.author]);
  return createHash('sha256').update(what).digest('hex');
}

/** The 409 for a `messageId` sent before with another flag, naming it and the fields of `i` that differ from the flag it added. */
function messageIdReused(messageId: string, f: Flag, i: FlagInput): TactError {
  const until = i.until === undefined ? null : (parseUntil(i.until) ?? NaN);
  const fields = [
    ...(i.subject !== undefined && f.target.kind !== 'profile' ? ['subject'] : []),
    ...(i.account !== undefined && (f.target.kind !== 'account' || f.target.id !== accountId(i.account)) ? ['account'] : []),
    ...(['name', 'note'] as const).filter((k) => i[k] !== f[k]),
    ...(until !== f.until ? ['until'] : []),
    ...(i.author !== f.author ? ['author'] : []),
  ];
  // Nothing else differs: the subject, which the flag keeps as the profile it named, not as sent.
  if (!fields.length) fields.push(i.subject !== undefined ? 'subject' : 'account');
  const named = fields.map((k) => `\`${k}\``);
  const list = andList(named);
  return new TactError('conflict', {
    detail: `The \`messageId\` \`${messageId}\` was sent before with another body: the flag it added (${f.id}) has another ${list}. Nothing was added: a retry sends the same body with the same \`messageId\`, and a new flag takes a new \`messageId\`.`,
  }, { at: 'messageId' });
}

/** The id of a flag a declarations version adds after `before` such flags were cleared. @example declaredFlagId(3, 0, { account: 'acme', name: 'pause', … }) // 'declared-…' */
export function declaredFlagId(version: number, before: number, a: FlagInput): string {
  const what = JSON.stringify([version, before, a.subject ?? null, a.account ?? null, a.name, a.note, a.until ?? null]);
  return `declared-${createHash('sha256').update(what).digest('hex').slice(0, 24)}`;
}
