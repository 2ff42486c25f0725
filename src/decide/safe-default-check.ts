import { closestWord } from '../errors/edit-distance.js';
import type { Checker } from './check.js';

type Raw = Record<string, unknown>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Why an action of the catalog does not compete at a placement, as compileCatalog picks a
 * placement's candidates (on its channel, among its `actions` if it names them, with one of its
 * `topics` if it names them); undefined when it competes there.
 */
function notCompeting(a: Raw, p: Raw): string | undefined {
  if (!list(a.channels).includes(p.channel as string)) return `is not delivered on the placement's channel \`${String(p.channel)}\` (its channels: ${list(a.channels).join(', ')})`;
  if (Array.isArray(p.actions) && !list(p.actions).includes(a.id as string)) return "is not among the placement's `actions`";
  if (Array.isArray(p.topics) && !list(a.topics).some((t) => list(p.topics).includes(t))) return `has none of the placement's \`topics\` (${list(p.topics).join(', ')})`;
  return undefined;
}

/**
 * A placement's safe default stands in for a choice held for review only if it is one of the
 * placement's candidates and needs no review itself (pipeline.ts, `standIn`); any other leaves the
 * subject nothing while the review waits. Refused when the catalog is written, naming the field, the
 * reason and the actions that do compete there (a misspelt id: the closest of them). A recommendation
 * placement answers items and holds nothing: not checked.
 *
 * @example
 * checkSafeDefault(c, { id: 'home', channel: 'web', safeDefault: 'digest' }, 'placements[0]', actions);
 * // c.problems: [{ field: 'placements[0].safeDefault', message: 'The `placements[0].safeDefault` `digest` is not delivered on the placement's channel `web` …' }]
 */
export function checkSafeDefault(c: Checker, p: Raw, at: string, actions: readonly Raw[]): void {
  const id = p.safeDefault;
  if (id === undefined || id === 'none') return;
  const field = `${at}.safeDefault`;
  // Actions whose id is not a string are refused at their own field (`actions[i].id`): not offered here.
  const competing = actions.filter((a) => typeof a.id === 'string' && !notCompeting(a, p));
  const action = actions.find((a) => a.id === id);
  if (!action) {
    const near = typeof id === 'string' ? closestWord(id, competing.map((a) => a.id as string)) : undefined;
    c.add(field, `The \`${field}\` must be "none" or an action id of the catalog${near ? `: did you mean \`${near}\`?` : '.'}`);
    return;
  }
  if (p.kind === 'recommendation' || typeof p.channel !== 'string') return;
  const why = notCompeting(action, p);
  if (why) {
    const others = competing.map((a) => a.id as string);
    c.add(field, `The \`${field}\` \`${String(id)}\` ${why}: it never competes at \`${String(p.id)}\`, so a choice held for review there would get nothing. ${others.length ? `The actions that compete at \`${String(p.id)}\` are ${others.join(', ')}.` : `No action competes at \`${String(p.id)}\`.`}`);
  } else if (action.highStakes === true) {
    c.add(field, `The \`${field}\` \`${String(id)}\` is high-stakes: it would wait for a review itself, so a choice held for review at \`${String(p.id)}\` would get nothing. A safe default must be deliverable without one.`);
  }
}
