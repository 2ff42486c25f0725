import type { AccountWrite, MembershipWrite } from '../collect/collect-store.js';
import type { Message } from '../collect/message.js';

/**
 * Accounts (B2B groups) and memberships a message creates: a group call upserts the account's
 * traits and the caller's membership; the member's role is read from `context.traits.role`
 * (the user's own traits) or, failing that, the group traits' `role`. An identify call with
 * Segment's reserved `company` trait ({ id, name, … }) also makes the membership.
 *
 * @example
 * accountWritesOf({ type: 'group', groupId: 'acme', traits: { name: 'Acme', role: 'admin' } } as Message, 'p1');
 */
export function accountWritesOf(m: Message, profileId: string): { accounts: AccountWrite[]; memberships: MembershipWrite[] } {
  if (m.type === 'group' && m.groupId) {
    const traits = { ...(m.traits ?? {}) };
    const ctxTraits = m.context.traits as Record<string, unknown> | undefined;
    const roleRaw = ctxTraits?.role ?? traits.role;
    delete traits.role;
    const role = typeof roleRaw === 'string' && roleRaw ? roleRaw : null;
    return {
      accounts: [{ id: m.groupId, traits, at: m.timestamp }],
      memberships: [{ accountId: m.groupId, profileId, role, at: m.timestamp }],
    };
  }
  if (m.type === 'identify' && m.traits?.company && typeof m.traits.company === 'object') {
    const c = m.traits.company as Record<string, unknown>;
    const id = typeof c.id === 'string' || typeof c.id === 'number' ? String(c.id) : undefined;
    if (id) {
      const { id: _omit, ...traits } = c;
      const role = typeof m.traits.role === 'string' ? m.traits.role : null;
      return { accounts: [{ id, traits, at: m.timestamp }], memberships: [{ accountId: id, profileId, role, at: m.timestamp }] };
    }
  }
  return { accounts: [], memberships: [] };
}
