/**
 * A Thompson placement's floor ε (`selection.floor`, the bandit's `floorEpsilon`) and the policy's
 * `exploration.budget` (the bandit's `maxExplorationShare`) live in two documents. The policy is the
 * humans' strategy, so at decision time the budget bounds the floor (bandit-select.ts): a floor
 * above it is capped, not refused — lowering the budget must work at once, whatever the
 * placements ask. Applying either document that makes the two disagree answers a warning naming
 * both fields (so does every read of either while they disagree; a config file applying both logs
 * it once), and each decision whose floor was capped says so in its explanation — not one of the
 * global holdout, which is not explored for.
 */
import type { StoredWarning } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import type { Catalog } from './catalog.js';
import type { Policy } from './policy.js';
import { DEFAULT_EXPLORATION_BUDGET } from './policy-compile.js';

/** A Thompson placement's written floor, with its field (of a body stored before it was checked too: what is not one is skipped). */
interface PlacementFloor {
  field: string;
  placement: string;
  floor: number;
}

function placementFloors(body: Catalog | undefined): PlacementFloor[] {
  const out: PlacementFloor[] = [];
  (Array.isArray(body?.placements) ? body.placements : []).forEach((p, i) => {
    const s = p?.selection;
    if (s?.kind === 'thompson' && typeof s.floor === 'number') out.push({ field: `placements[${i}].selection.floor`, placement: String(p.id), floor: s.floor });
  });
  return out;
}

/** The contradiction a floor above the budget is, named alike by the catalog's warning and the policy's (one line at start). */
const between = (f: PlacementFloor): string => `${f.field} > exploration.budget`;

/** The policy's budget as decisions use it (policy-compile.ts: the default when it sets none). */
function budgetOf(body: Policy | undefined): number {
  const b = body?.exploration?.budget;
  return typeof b === 'number' ? Math.min(1, Math.max(0, b)) : DEFAULT_EXPLORATION_BUDGET;
}

/**
 * The catalog's Thompson placements whose floor is above the policy's budget in force, each a
 * warning naming the floor's field, `floorEpsilon` and the budget — `between` the floor and the
 * budget, as the policy's warning of it is.
 *
 * @example
 * await catalogFloorWarnings({ placements: [{ id: 'home', channel: 'web', selection: { kind: 'thompson', floor: 0.3 } }] }, store.documents);
 * // [{ field: 'placements[0].selection.floor', message: 'The `placements[0].selection.floor` (0.3) … capped to 0.05 …', between: 'placements[0].selection.floor > exploration.budget' }]
 */
export async function catalogFloorWarnings(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const floors = placementFloors(body);
  if (!floors.length) return [];
  const policy = await documents.latest<Policy>('policy');
  const budget = budgetOf(policy?.body);
  const whose = policy ? `policy version ${policy.version}` : 'the default: no policy is written yet';
  return floors.filter((f) => f.floor > budget).map((f) => ({
    field: f.field,
    between: between(f),
    message: `The \`${f.field}\` (${f.floor}) of the placement \`${f.placement}\` is above the policy's \`exploration.budget\` (${budget}, ${whose}): at every decision the bandit's uniform floor ε (\`floorEpsilon\`) is capped to ${budget}, the budget (its \`maxExplorationShare\`), and the decision's explanation says so. The catalog is applied; to explore as written, raise the policy's \`exploration.budget\` to at least ${f.floor}, or lower the floor to at most ${budget}.`,
  }));
}

/**
 * The catalog's Thompson placements in force whose floor is above the policy's budget, each a
 * warning naming `exploration.budget`, the floor's field and `floorEpsilon`.
 *
 * @example
 * await policyFloorWarnings({ exploration: { budget: 0.05 } }, store.documents);
 * // [{ field: 'exploration.budget', message: 'The `exploration.budget` (0.05) is below the `placements[0].selection.floor` (0.2) …', between: 'placements[0].selection.floor > exploration.budget' }]
 */
export async function policyFloorWarnings(body: Policy, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const catalog = await documents.latest<Catalog>('catalog');
  const budget = budgetOf(body);
  const written = typeof body?.exploration?.budget === 'number' ? '' : ', the default';
  return placementFloors(catalog?.body).filter((f) => f.floor > budget).map((f) => ({
    field: 'exploration.budget',
    between: between(f),
    message: `The \`exploration.budget\` (${budget}${written}) is below the \`${f.field}\` (${f.floor}) of the catalog's placement \`${f.placement}\` (catalog version ${catalog?.version}): at every decision that placement's uniform floor ε (\`floorEpsilon\`) is capped to ${budget}, the budget (its \`maxExplorationShare\`), and the decision's explanation says so. The policy is applied; to keep the placement's floor, raise the budget to at least ${f.floor}, or lower the floor in the catalog.`,
  }));
}

/**
 * The sentence a decision's explanation adds when its placement's floor was capped.
 *
 * @example
 * cappedFloorWords({ asked: 0.3, used: 0.1 }); // "The placement's bandit floor (`selection.floor` 0.3, …) … capped to 0.1."
 */
export function cappedFloorWords(capped: { asked: number; used: number }): string {
  return `The placement's bandit floor (\`selection.floor\` ${capped.asked}, the bandit's \`floorEpsilon\`) is above the policy's \`exploration.budget\` (${capped.used}): it was capped to ${capped.used}.`;
}
