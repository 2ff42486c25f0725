import type { FieldProblem } from '../errors/tact-error.js';

/**
 * What every read of a configuration document shows in place of a secret that is set (the alert
 * webhook's HMAC key …). Secrets are write-only: the server key that reads configuration is held by
 * decision clients, and with the key anyone could forge signed alerts. An object, not a string, so
 * no real secret can be mistaken for it (a secret is a string).
 */
export const REDACTED: Readonly<{ redacted: true }> = Object.freeze({ redacted: true });

/** Whether `v` is the marker `{"redacted": true}`, exactly. */
export function isRedacted(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && (v as { redacted?: unknown }).redacted === true;
}

/** The object holding the last step of a dotted `path`, and that step; undefined when the path does not reach an object. */
function parentOf(body: unknown, path: string): { parent: Record<string, unknown>; key: string } | undefined {
  const steps = path.split('.');
  let at: unknown = body;
  for (const s of steps.slice(0, -1)) at = at && typeof at === 'object' && !Array.isArray(at) ? (at as Record<string, unknown>)[s] : undefined;
  if (!at || typeof at !== 'object' || Array.isArray(at)) return undefined;
  return { parent: at as Record<string, unknown>, key: steps[steps.length - 1] };
}

/**
 * A copy of `body` with each secret that is set (at the dotted `paths`) shown as {@link REDACTED};
 * `body` itself when the kind has no secrets. The stored body is never changed.
 *
 * @example
 * redactSecrets({ webhook: { url, secret: 's3cr3t' } }, ['webhook.secret']); // { webhook: { url, secret: { redacted: true } } }
 */
export function redactSecrets<T>(body: T, paths: readonly string[] | undefined): T {
  if (!paths?.length) return body;
  const copy = structuredClone(body);
  for (const path of paths) {
    const p = parentOf(copy, path);
    if (p && p.parent[p.key] !== undefined) p.parent[p.key] = { ...REDACTED };
  }
  return copy;
}

/**
 * The body to store when a write sends {@link REDACTED} back (a document read, edited and written
 * again): each marker becomes the secret of the version in force (`stored`). A marker with no
 * secret stored to keep is a problem naming its field. Any other value (a new secret, or none)
 * is left as sent.
 *
 * @example
 * keepSecrets({ webhook: { url, secret: { redacted: true } } }, { webhook: { url, secret: 's3cr3t' } }, ['webhook.secret']).body; // { webhook: { url, secret: 's3cr3t' } }
 */
export function keepSecrets(body: unknown, stored: unknown, paths: readonly string[] | undefined): { body: unknown; problems: FieldProblem[] } {
  const sent = (paths ?? []).filter((path) => {
    const p = parentOf(body, path);
    return p && isRedacted(p.parent[p.key]);
  });
  if (!sent.length) return { body, problems: [] };
  const copy = structuredClone(body);
  const problems: FieldProblem[] = [];
  for (const path of sent) {
    const s = parentOf(stored, path);
    const secret = s?.parent[s.key];
    const into = parentOf(copy, path);
    if (typeof secret === 'string' && into) into.parent[into.key] = secret;
    else problems.push({ field: path, message: `The \`${path}\` is the redacted marker {"redacted": true}, which keeps the secret in force, but no secret is stored to keep: send the secret itself, or leave \`${path}\` out for none.` });
  }
  return { body: copy, problems };
}

/** What a change does to one secret: the same one kept, one set where there was none, another one, or none left. */
export interface SecretChange {
  path: string;
  change: 'kept' | 'set' | 'changed' | 'removed';
}

/**
 * What a new version does to each secret of its kind (dotted `paths`), from the version in force
 * (`before`, as stored) to the one written (`after`, with markers already replaced by the secrets
 * they keep): a path with no secret on either side is left out. Secrets are write-only, so this is
 * the only way a client can tell a secret sent again unchanged from a new one.
 *
 * @example
 * secretChanges({ webhook: { secret: 'a' } }, { webhook: { secret: 'a' } }, ['webhook.secret']); // [{ path: 'webhook.secret', change: 'kept' }]
 */
export function secretChanges(before: unknown, after: unknown, paths: readonly string[] | undefined): SecretChange[] {
  const at = (body: unknown, path: string): string | undefined => {
    const p = parentOf(body, path);
    const v = p?.parent[p.key];
    return typeof v === 'string' ? v : undefined;
  };
  const out: SecretChange[] = [];
  for (const path of paths ?? []) {
    const b = at(before, path);
    const a = at(after, path);
    if (b === undefined && a === undefined) continue;
    out.push({ path, change: b === a ? 'kept' : b === undefined ? 'set' : a === undefined ? 'removed' : 'changed' });
  }
  return out;
}

/**
 * An earlier version's document, as read (secrets redacted), made to keep the secrets in force
 * (`inForce`, as read): at each secret path the marker where one is set now — so the secret in
 * force stays — and nothing where none is, whatever the earlier version held. A rollback restores
 * what a kind configures, not a secret rotated since (perhaps because it leaked), and never asks
 * the server to keep a secret that is not there (a 400). A path whose parent the document lacks is
 * left alone: there is nothing there to hold a secret.
 *
 * @example
 * withSecretsInForce({ webhook: { url: 'https://a' } }, { webhook: { url: 'https://b', secret: { redacted: true } } }, ['webhook.secret']);
 * // { webhook: { url: 'https://a', secret: { redacted: true } } }
 */
export function withSecretsInForce<T>(earlier: T, inForce: unknown, paths: readonly string[] | undefined): T {
  if (!paths?.length) return earlier;
  const copy = structuredClone(earlier);
  for (const path of paths) {
    const into = parentOf(copy, path);
    if (!into) continue;
    const now = parentOf(inForce, path);
    if (now && isRedacted(now.parent[now.key])) into.parent[into.key] = { ...REDACTED };
    else delete into.parent[into.key];
  }
  return copy;
}
