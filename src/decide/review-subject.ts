import type { IdentityRow } from '../profiles/profile-store.js';

/** The kinds a person is known by to the people who review, in the order a review names them. */
const READABLE = ['userId', 'email', 'anonymousId'] as const;

/**
 * The subject a review names. A decision asked for by Tact's own profile id (`profile:<id>`, as
 * `tact decide-batch` asks) names the person as reviewers know them instead — `userId:<id>`, else
 * `email:<address>`, else `anonymousId:<id>` — each a form `GET /v1/profiles/{identifier}` takes.
 * Any other subject is kept as the caller gave it.
 *
 * @example
 * reviewSubject('profile:p-9', [{ kind: 'anonymousId', value: 'a-1', createdAt: 1 }, { kind: 'userId', value: 'ana', createdAt: 2 }]);
 * // 'userId:ana'
 */
export function reviewSubject(subject: string, identities: readonly IdentityRow[] | undefined): string {
  if (!subject.startsWith('profile:') || !identities) return subject;
  for (const kind of READABLE) {
    const first = oldestIdentity(identities, kind);
    if (first !== undefined) return `${kind}:${first}`;
  }
  return subject;
}

/**
 * The value of a profile's oldest identity of `kind` — the one the person was first known by — or
 * undefined: how a review (above) and a batch's output (batch/person-ids.ts) name the person.
 *
 * @example
 * oldestIdentity([{ kind: 'userId', value: 'ana-2', createdAt: 4 }, { kind: 'userId', value: 'ana', createdAt: 3 }], 'userId'); // 'ana'
 */
export function oldestIdentity(identities: readonly IdentityRow[], kind: string): string | undefined {
  let first: IdentityRow | undefined;
  for (const i of identities) if (i.kind === kind && (!first || i.createdAt < first.createdAt)) first = i;
  return first?.value;
}
