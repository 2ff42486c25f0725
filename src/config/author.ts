import type { FastifyRequest } from 'fastify';
import { validationError } from '../errors/tact-error.js';

/**
 * The author of the versions the config file writes, and of the flags it declares: a start takes a
 * version by it for the file's own (docs/configuration.md, "A section taken out of the config file").
 * The API refuses it as an author, where it would pass for the file's.
 */
export const FILE_AUTHOR = 'config-file';

/** The request's body property that holds `given` (`author`, `reviewer`, `by`), to name it in a 400. */
function fieldHolding(req: FastifyRequest, given: string): string | undefined {
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return undefined;
  return Object.keys(b).find((k) => (b as Record<string, unknown>)[k] === given);
}

/**
 * Who changed something: the author the caller names, else the key's label. The name the config
 * file's changes carry (`config-file`, in any case) is a 400 naming the field: a version by it
 * would pass for the file's — a start then warns of a section the file never had — and a flag by it
 * for one the file declares. `field` names the property in that 400 (default: the body's property
 * holding `given`, else `author`).
 *
 * @example
 * authorOf(req, 'alice'); // 'alice'
 * authorOf(req); // 'key ops laptop (1a2b3c4d)'
 */
export function authorOf(req: FastifyRequest, given?: unknown, field?: string): string {
  if (typeof given === 'string' && given.trim()) {
    const author = given.trim();
    if (author.toLowerCase() === FILE_AUTHOR) {
      const at = field ?? fieldHolding(req, given) ?? 'author';
      throw validationError([{ field: at, message: `The \`${at}\` "${author}" is kept for the changes the config file makes (a start takes a version by it for the file's own): name yourself, or leave \`${at}\` out to be named by the key's label.` }]);
    }
    return author;
  }
  return req.apiKey ? `key ${req.apiKey.label} (${req.apiKey.id.slice(0, 8)})` : 'unknown';
}
