import type { AccountWrite, MembershipWrite } from '../collect/collect-store.js';
import type { Message } from '../collect/message.js';
import { idText, MAX_IDENTIFIER_LENGTH, normalizeIdentifier, shortened, type IgnoredIdentifier } from './identifiers.js';
import { whyBlocked, type MergeRules } from './merge-rules.js';

/** What a message does to accounts: the accounts and memberships it writes, and an account id it carried that was refused. */
export interface AccountWrites {
  accounts: AccountWrite[];
  memberships: MembershipWrite[];
  /** A blocked account id (`groupId`, `company.id`): no account is made, and the profile records why. */
  ignored: IgnoredIdentifier[];
}

/**
 * Accounts (B2B groups) and memberships a message creates: a group call upserts the account's
 * traits and the caller's membership; the member's role is read from `context.traits.role`
 * (the user's own traits) or, failing that, the group traits' `role`. An identify call with
 * Segment's reserved `company` trait ({ id, name, … }) also makes the membership, its role read
 * the same way (`context.traits.role`, the user's `traits.role`, then the company's `role`). An account id
 * on the merge rules' blocked list ("undefined", "null", "0" …: what a client sends when it has
 * none) makes no account — every user of such a client would join that one account.
 *
 * @example
 * accountWritesOf({ type: 'group', groupId: 'acme', traits: { name: 'Acme', role: 'admin' } } as Message, 'p1', rules);
 */
export function accountWritesOf(m: Message, profileId: string, rules: MergeRules): AccountWrites {
  if (m.type === 'group' && m.groupId) {
    const id = accountId(m.groupId);
    const blocked = whyBlocked(rules, id);
    if (blocked) return blockedAccount('groupId', id, blocked);
    const traits = { ...(m.traits ?? {}) };
    const ctxTraits = m.context.traits as Record<string, unknown> | undefined;
    const ignored: IgnoredIdentifier[] = [];
    const role = roleOf(ctxTraits?.role, 'context.traits.role', ignored) ?? roleOf(traits.role, 'traits.role', ignored);
    delete traits.role;
    return {
      accounts: [{ id, traits, at: m.timestamp }],
      memberships: [{ accountId: id, profileId, role, at: m.timestamp }],
      ignored,
    };
  }
  if (m.type === 'identify' && m.traits?.company && typeof m.traits.company === 'object') {
    const c = m.traits.company as Record<string, unknown>;
    // A number JSON does not hold exactly (two 64-bit ids would be one account), an object or a
    // list is no account id: the profile says why (until 2026-12-05 the first was rounded, the
    // others passed over in silence).
    const sent = idText(c.id);
    if (sent?.why) return blockedAccount('company.id', shortened(sent.text), sent.why);
    const id = sent ? accountId(sent.text) : undefined;
    const blocked = id === undefined ? undefined : accountTooLong(id) ?? whyBlocked(rules, id);
    if (id !== undefined && blocked) return blockedAccount('company.id', shortened(id), blocked);
    if (id) {
      // As a group call reads it: the person's role (`context.traits.role`, then their own
      // `traits.role`), failing that the company's `role`, which is the member's, not the account's
      // (until 2026-12-05 it was stored as a trait of the whole account, and `context.traits.role` was not read).
      const { id: _omit, role: companyRole, ...traits } = c;
      const ctxTraits = m.context.traits as Record<string, unknown> | undefined;
      const ignored: IgnoredIdentifier[] = [];
      const role = roleOf(ctxTraits?.role, 'context.traits.role', ignored) ?? roleOf(m.traits.role, 'traits.role', ignored) ?? roleOf(companyRole, 'traits.company.role', ignored);
      return { accounts: [{ id, traits, at: m.timestamp }], memberships: [{ accountId: id, profileId, role, at: m.timestamp }], ignored };
    }
  }
  return { accounts: [], memberships: [], ignored: [] };
}

/**
 * An account id as stored and looked up: trimmed, like a userId (normalizeIdentifier), so
 * `" acme "` and `"acme"` are one account; otherwise opaque (case kept).
 *
 * @example
 * accountId(' acme '); // 'acme'
 */
export function accountId(raw: string): string {
  return normalizeIdentifier('groupId', raw);
}

/** Why an account id is too long to be one (a groupId is refused beyond it: normalizeMessage). */
function accountTooLong(id: string): string | undefined {
  return id.length > MAX_IDENTIFIER_LENGTH ? `it is ${id.length} characters long, and an account id may be at most ${MAX_IDENTIFIER_LENGTH}` : undefined;
}

/**
 * A member role as sent, or null for none: a blank one (a form left empty) is none, so it neither
 * replaces the role a member holds (the store keeps any role it is given) nor hides another. A
 * number is its text (`5` is the role "5"), as an account id sent as a number is; a boolean, an
 * object or a list is no role: it is added to `ignored`, which the profile records (until
 * 2026-12-06 any role that was not a string was dropped without a trace).
 */
function roleOf(v: unknown, field: string, ignored: IgnoredIdentifier[]): string | null {
  if (typeof v === 'string') return v.trim() !== '' ? v : null;
  if (typeof v === 'number') return String(v);
  if (v !== undefined && v !== null) {
    const sent = idText(v);
    if (sent) ignored.push({ kind: 'role', value: shortened(sent.text), field, reason: `the \`${field}\` ${sent.why?.replace(/^it /, '') ?? 'is no text'}: the membership was kept without it` });
  }
  return null;
}

function blockedAccount(kind: 'groupId' | 'company.id', value: string, why: string): AccountWrites {
  const field = kind === 'groupId' ? 'groupId' : 'traits.company.id';
  return { accounts: [], memberships: [], ignored: [{ kind, value, field, reason: `${why}: no account was made` }] };
}
