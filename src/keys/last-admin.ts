import { TactError, validationError, withArticle } from '../errors/tact-error.js';
import type { Keys } from './keys.js';

/**
 * Revokes a key, unless it is the last active admin key: revoked, nobody could change configuration
 * or make keys through the API (only `tact keys create` on the store, or a start with
 * TACT_ADMIN_KEY, would bring one back). The API's `DELETE /v1/keys/{id}` and `tact keys revoke`
 * both go through here, so both refuse with the same catalogue error: `conflict` (409) for the last
 * admin key, `not_found` (404) for an id no active key has. Checked and revoked in one step of the
 * store: two revokes of the last two admin keys at once, by one process or by two on one store,
 * revoke one.
 *
 * @example
 * await revokeUnlessLastAdmin(tact.keys, req.params.id); // { revoked: id }, or throws
 */
export async function revokeUnlessLastAdmin(keys: Keys, id: string): Promise<{ revoked: string }> {
  const outcome = await keys.revokeUnlessLastAdmin(id);
  if (outcome === 'last-admin') {
    throw new TactError('conflict', { detail: `The key \`${id}\` is the last active admin key: revoked, nobody could change configuration or make keys through the API. Make another admin key first (\`tact keys create admin <label>\`, or POST /v1/keys with kind admin), then revoke this one.` });
  }
  if (outcome === 'not-found') {
    // A leaked key's secret pasted where its id belongs: say so, and never quote it back
    // (docs/keys.md: no answer and no log line quotes a key).
    const owner = await keys.identify(id);
    if (owner) {
      throw validationError([{ field: 'id', message: `The \`id\` given is a key's secret, not its id: it is ${withArticle(owner.kind)} key whose id is ${owner.id}${owner.revokedAt !== null ? ' (revoked already)' : ''}. Keys are revoked by id; GET /v1/keys and \`tact keys list\` show each id beside its label.` }]);
    }
    throw new TactError('not_found', { what: 'active key', id });
  }
  return { revoked: id };
}
