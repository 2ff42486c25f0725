import { closestWord } from './edit-distance.js';
import { TactError } from './tact-error.js';

/** The most names a not-found sentence lists; more are counted, and the listing route named. */
const LISTED = 20;

/** What a route looks names up among: the thing in the singular and the plural, and the route listing them all. */
export interface NamedThings {
  one: string;
  many: string;
  /** Where every name is listed (`GET /v1/segments`), said when there are more than the sentence lists. */
  listedAt?: string;
}

/**
 * The 404 for a name (or id) none of the `known` ones is: `unknown_name` naming the known one
 * within two edits (case aside) — the closest, as `closestWord` picks it — and `suggestion`
 * holding it, else `not_found`; both list the names there are (at most 20). The same rule as
 * profileNotFound (profiles/lookup.ts) for an identifier's kind.
 *
 * @example
 * nameNotFound({ one: 'model', many: 'models' }, 'ratez', ['rates', 'uplift']).message; // 'No model matches `ratez`: did you mean `rates`? The models are rates, uplift.'
 * nameNotFound({ one: 'model', many: 'models' }, 'xyzzy', ['rates', 'uplift']).message; // 'No model (the models are rates, uplift) matches `xyzzy`.'
 */
export function nameNotFound(things: NamedThings, name: string, known: Iterable<string>): TactError {
  const names = [...new Set(known)];
  const list = namesListed(things, names);
  const near = closestWord(name, names);
  if (near !== undefined && near !== name) {
    return new TactError('unknown_name', { what: things.one, id: name, suggestion: near, known: `The ${list}.` }, { extra: { suggestion: near } });
  }
  return new TactError('not_found', { what: `${things.one} (${names.length ? `the ${list}` : `there are no ${things.many}`})`, id: name });
}

/** "segments are a, b, c" — the first 20, then how many more and where they are all listed. */
function namesListed(things: NamedThings, names: string[]): string {
  const more = names.length - LISTED;
  const shown = names.slice(0, LISTED).join(', ');
  return `${things.many} are ${more > 0 ? `${shown} and ${more} more${things.listedAt ? ` (${things.listedAt} lists them)` : ''}` : shown}`;
}
