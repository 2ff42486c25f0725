/**
 * The placement an experiment runs at, against the catalog's placements, from both sides. An
 * experiment at a placement the catalog lacks assigns no unit (a decision at a placement the
 * catalog lacks is refused, src/decide/unknown-placement.ts), and its results answer only that no
 * unit was read: a misspelt `placement` looked like an experiment nobody reached. So, as for an
 * arm's content pin (arm-pins.ts, catalog-pins.ts): a **running** experiment at a placement the
 * catalog in force lacks is refused when the experiments are written, and a catalog that removes
 * the placement of a running experiment is refused; a **stopped** one decides nothing — a warning
 * on both sides, under one `between`, and restarting it is refused. The config file checks each
 * section against the file as a whole (Settings.applyFile), so a file that adds a placement and its
 * experiment together is taken, and so is one that stops an experiment and removes its placement.
 */
import type { StoredWarning } from '../../config/document-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { Catalog } from '../../decide/catalog.js';
import { closestWord } from '../../errors/edit-distance.js';
import type { FieldProblem } from '../../errors/tact-error.js';

/** One experiment's placement: its id, whether it runs, and the field the placement is at. */
export interface PlacementAt {
  experiment: string;
  running: boolean;
  field: string;
  placement: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The placements of an experiments document's experiments (of one stored before it was checked
 * too: what is not an experiment with a placement is skipped).
 *
 * @example
 * placementsOf({ hero: { placement: 'home', status: 'stopped', arms: [] } });
 * // [{ experiment: 'hero', running: false, field: 'hero.placement', placement: 'home' }]
 */
export function placementsOf(body: unknown): PlacementAt[] {
  if (!isObj(body)) return [];
  return Object.entries(body).flatMap(([experiment, e]) =>
    isObj(e) && typeof e.placement === 'string' && e.placement ? [{ experiment, running: (e.status ?? 'running') === 'running', field: `${experiment}.placement`, placement: e.placement }] : [],
  );
}

/**
 * The catalog's placement ids (of a body stored before it was checked too: what is not a
 * placement with an id is skipped).
 *
 * @example
 * catalogPlacements({ placements: [{ id: 'home', channel: 'web' }] }); // ['home']
 */
export function catalogPlacements(body: Catalog | undefined): string[] {
  return (Array.isArray(body?.placements) ? body.placements : []).flatMap((p) => (typeof p?.id === 'string' ? [p.id] : []));
}

/**
 * What a warning of an experiment's placement the catalog lacks is between, the same string on
 * both sides (the experiments', `placementWarnings`; the catalog's, `catalogPlacementWarnings`),
 * so a config file that applies both says it once.
 *
 * @example
 * placementLackBetween('hero-test.placement'); // 'catalog lacks hero-test.placement'
 */
export function placementLackBetween(field: string): string {
  return `catalog lacks ${field}`;
}

/** What the catalog lacks of an experiment's placement, said from the experiments' side: the sentence's start, and its hint. */
function lackSaid(at: PlacementAt, known: string[], catalog: { version: number } | undefined): { said: string; hint: string } {
  const why = catalog ? `which the catalog (version ${catalog.version}) does not have` : 'and no catalog is written yet (write the catalog first; a config file writes it before the experiments)';
  const near = closestWord(at.placement, known);
  const hint = near ? ` Did you mean \`${near}\`?` : !catalog ? '' : known.length === 0 ? ' The catalog has no placements.' : known.length <= 12 ? ` The catalog's placements are ${known.join(', ')}.` : ` The catalog has ${known.length} placements.`;
  return { said: `The \`${at.field}\` names the placement \`${at.placement}\`, ${why}`, hint };
}

/**
 * The running experiments of `body` at a placement the catalog in force does not have: each a
 * problem naming `<id>.placement`, with the closest placement (or the catalog's placements).
 *
 * @example
 * await placementProblems({ typo: { placement: 'hmoe', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }] } }, store.documents);
 * // [{ field: 'typo.placement', message: 'The `typo.placement` names the placement `hmoe`, which the catalog (version 3) does not have: … Did you mean `home`?' }]
 */
export async function placementProblems(body: unknown, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const running = placementsOf(body).filter((p) => p.running);
  if (!running.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const known = catalogPlacements(catalog?.body);
  return running.filter((p) => !known.includes(p.placement)).map((p) => {
    const { said, hint } = lackSaid(p, known, catalog);
    return { field: p.field, message: `${said}: a decision there is refused, so the experiment would assign no unit, and its results would read nothing.${hint}` };
  });
}

/**
 * The stopped experiments of `body` at a placement the catalog in force does not have: each a
 * warning naming `<id>.placement` (a stopped experiment decides nothing; restarting it is refused).
 *
 * @example
 * await placementWarnings({ old: { placement: 'banner', status: 'stopped', arms: [...] } }, store.documents);
 * // [{ field: 'old.placement', between: 'catalog lacks old.placement', message: 'The `old.placement` names the placement `banner`, which the catalog (version 4) does not have: the stopped experiment `old` decides nothing, …' }]
 */
export async function placementWarnings(body: unknown, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const stopped = placementsOf(body).filter((p) => !p.running);
  if (!stopped.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const known = catalogPlacements(catalog?.body);
  return stopped.filter((p) => !known.includes(p.placement)).map((p) => {
    const { said, hint } = lackSaid(p, known, catalog);
    return { field: p.field, between: placementLackBetween(p.field), message: `${said}: the stopped experiment \`${p.experiment}\` decides nothing, but restarting it is refused until the catalog has the placement again or the experiment names another. The experiments are applied.${hint}` };
  });
}

/** The experiments in force at a placement `body` lacks (`all`), or only those the catalog in force has (a change's losses). */
async function lostPlacements(body: Catalog, documents: Pick<DocumentStore, 'latest'>, all: boolean): Promise<PlacementAt[]> {
  const at = placementsOf((await documents.latest('experiments'))?.body);
  if (!at.length) return [];
  const next = catalogPlacements(body);
  const before = all ? undefined : catalogPlacements((await documents.latest<Catalog>('catalog'))?.body);
  return at.filter((p) => !next.includes(p.placement) && (!before || before.includes(p.placement)));
}

/**
 * A catalog that removes the placement of a running experiment: refused, naming `placements` and
 * the experiment's field. Stop the experiment (or move it) first. A placement the catalog in force
 * already lacked (an experiment stored before placements were checked) does not stop the change:
 * the experiments' own checks name it.
 *
 * @example
 * await catalogPlacementLosses({ actions: [...], placements: [] }, store.documents);
 * // [{ field: 'placements', message: 'The catalog no longer has the placement `home`, at which the running experiment `hero-test` runs (`hero-test.placement`): …' }]
 */
export async function catalogPlacementLosses(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  return (await lostPlacements(body, documents, false)).filter((p) => p.running).map((p) => ({
    field: 'placements',
    message: `The catalog no longer has the placement \`${p.placement}\`, at which the running experiment \`${p.experiment}\` runs (\`${p.field}\`): a decision there would be refused, so the experiment would assign no unit from then on while it is still running. Stop the experiment (\`status: stopped\`) or move it to another placement first, then change the catalog (PUT /v1/config, or a config file at a start, may do both at once: each document is checked against the others as they will be).`,
  }));
}

/**
 * The stopped experiments in force at a placement `body` lacks: each a warning naming
 * `placements`, under the same `between` as the experiments' warning of it (`placementWarnings`).
 *
 * @example
 * await catalogPlacementWarnings({ actions: [...], placements: [] }, store.documents);
 * // [{ field: 'placements', between: 'catalog lacks hero-test.placement', message: 'The catalog no longer has the placement `home`, at which the stopped experiment `hero-test` ran …' }]
 */
export async function catalogPlacementWarnings(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  return (await lostPlacements(body, documents, true)).filter((p) => !p.running).map((p) => ({
    field: 'placements',
    between: placementLackBetween(p.field),
    message: `The catalog no longer has the placement \`${p.placement}\`, at which the stopped experiment \`${p.experiment}\` ran (\`${p.field}\`): restarting it is refused until the catalog has it again or the experiment names another. The catalog is applied; the experiment's results up to its stop are read as before.`,
  }));
}
