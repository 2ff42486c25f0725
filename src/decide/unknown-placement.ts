import { closestWord } from '../errors/edit-distance.js';

/**
 * The refusal of a placement that is not in the catalog: the closest one when it is a likely typo,
 * and the catalog's placements (or that it has none yet). For the decision API, batch decisions
 * and recommendations alike.
 *
 * @example
 * unknownPlacement('hom', ['home', 'weekly-email']); // 'The `placement` `hom` is not in the catalog. Did you mean `home`? The placements are home, weekly-email.'
 */
export function unknownPlacement(placement: string, known: string[]): string {
  if (!known.length) return `The \`placement\` \`${placement}\` is not in the catalog, which has no placements yet (PUT /v1/config/catalog).`;
  const near = closestWord(placement, known);
  return `The \`placement\` \`${placement}\` is not in the catalog.${near ? ` Did you mean \`${near}\`?` : ''} The placements are ${known.join(', ')}.`;
}
