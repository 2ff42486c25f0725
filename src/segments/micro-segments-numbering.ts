import type { CompiledFeature } from '../profiles/features/definition.js';
import type { MicroSegmentsState } from './segment-lookup.js';

/**
 * How a new micro-segments version was numbered, kept in its metrics (`numbering`, shown by GET
 * /v1/models/micro-segments): `after` the version whose numbers it keeps (null: numbered afresh),
 * `on` the features its clusters were matched on, and a `note` when the features clustered are not
 * those of that version, defined as they were (a reordered list needs none).
 */
export interface MicroSegmentsNumbering {
  after: string | null;
  on?: string[];
  note?: string;
}

/**
 * The columns a new fit over `names` shares with the `previous` version, matched by feature name —
 * never by position, so a list in another order is the same features — as pairs [column in the new
 * fit, column in the previous one], and how the numbering reads. A feature is shared while it is
 * defined as it was when the previous version was trained (its definition hash; a version stored
 * before definitions were kept: while it is still defined); a feature under a new name whose
 * definition is that of a previous feature no longer clustered is that feature renamed (a feature's
 * hash does not hold its name). A feature added, removed or redefined is left out of the match and
 * named in the note: a cluster matched on fewer features may hold other people than the one of the
 * same number did.
 *
 * @example
 * numberingColumns(3, live.state, features, ['views', 'revenue']);
 * // { columns: [[0, 1], [1, 0]], numbering: { after: 'micro-segments@3', on: ['views', 'revenue'] } }
 */
export function numberingColumns(version: number, previous: MicroSegmentsState, features: readonly CompiledFeature[], names: readonly string[]): { columns: [number, number][]; numbering: MicroSegmentsNumbering } {
  const after = `micro-segments@${version}`;
  const hashOf = new Map(features.map((f) => [f.def.name, f.hash]));
  const before = previous.features;
  const definedAs = (i: number) => previous.definitions?.[i];
  // A model whose shape does not match its list cannot be read column by column.
  if (previous.model.d !== before.length) return { columns: [], numbering: { after: null, note: `Numbered afresh: ${after} does not hold one centroid coordinate per feature it names.` } };
  const columns: [number, number][] = [];
  const added: string[] = [];
  const redefined: string[] = [];
  const renamed: string[] = [];
  names.forEach((name, j) => {
    const i = before.indexOf(name);
    if (i >= 0) {
      const was = definedAs(i);
      if (!hashOf.has(name) || (was !== undefined && was !== hashOf.get(name))) redefined.push(name);
      else columns.push([j, i]);
      return;
    }
    // Renamed: one previous feature, no longer clustered, defined as this one is.
    const hash = hashOf.get(name);
    const from = before.flatMap((n, p) => (hash !== undefined && !names.includes(n) && definedAs(p) === hash ? [p] : []));
    if (from.length === 1 && !columns.some(([, p]) => p === from[0])) {
      columns.push([j, from[0]]);
      renamed.push(`${code(name)} is ${code(before[from[0]])} renamed (the same definition)`);
    } else added.push(name);
  });
  const kept = new Set(columns.map(([, p]) => p));
  const dropped = before.filter((n, p) => !names.includes(n) && !kept.has(p));
  const changes = [
    ...renamed,
    ...added.map((n) => `${code(n)} was added`),
    ...dropped.map((n) => `${code(n)} is no longer clustered`),
    ...redefined.map((n) => `${code(n)} was redefined`),
  ];
  if (!columns.length) {
    return { columns, numbering: { after: null, note: `Numbered afresh: none of the features ${after} clustered is clustered here as it was defined then (${changes.join('; ')}).` } };
  }
  const on = columns.map(([j]) => names[j]);
  if (!changes.length) return { columns, numbering: { after, on } };
  const fewer = added.length + dropped.length + redefined.length > 0;
  const note = `Numbered after ${after} on the features both cluster (${on.map(code).join(', ')}): ${changes.join('; ')}.${fewer ? ` A cluster may hold other people than the one of the same number did in ${after}.` : ''}`;
  return { columns, numbering: { after, on, note } };
}

const code = (name: string) => `\`${name}\``;
