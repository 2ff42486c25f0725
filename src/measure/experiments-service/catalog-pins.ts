/**
 * The experiments' content pins, seen from the catalog's side: a catalog written without an action
 * or a variant a running experiment pins would leave that arm deciding as the control does from
 * then on (pipeline.ts pins a variant only when the chosen action has it), while its results name
 * it as if it ran. The experiments' own checks (arm-pins.ts) see the catalog in force when the
 * experiments are written; these see the experiments in force when the catalog is.
 */
import type { StoredWarning } from '../../config/document-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { Catalog } from '../../decide/catalog.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { armsOf, catalogVariants, lackBetween, pinLacks, unapprovedBetween, variantPin } from './arm-pins.js';
import { catalogPlacementLosses, catalogPlacementWarnings } from './experiment-placements.js';

/** An arm's pin that `body` lacks, with the catalog field and the clause that say so. */
interface Lost {
  running: boolean;
  field: string;
  between: string;
  said: string;
}

/** The arms of the experiments in force that pin what `body` lacks and the catalog in force has (`all`: what it lacks, had or not). */
async function lostPins(body: Catalog, documents: Pick<DocumentStore, 'latest'>, all: boolean): Promise<Lost[]> {
  const pins = armsOf((await documents.latest('experiments'))?.body).filter((a) => variantPin(a.arm));
  if (!pins.length) return [];
  const next = catalogVariants(body);
  const before = all ? undefined : catalogVariants((await documents.latest<Catalog>('catalog'))?.body);
  const index = new Map((Array.isArray(body.actions) ? body.actions : []).map((a, i) => [a?.id, i]));
  const lost: Lost[] = [];
  for (const { experiment, running, field, arm } of pins) {
    const pin = variantPin(arm)!;
    const lacks = pinLacks(next, pin);
    if (!lacks || (before && pinLacks(before, pin))) continue;
    const whose = `which the ${running ? 'running' : 'stopped'} experiment \`${experiment}\` pins in \`${field}.variant.${lacks}\``;
    lost.push(lacks === 'action'
      ? { running, field: 'actions', between: lackBetween(field, lacks), said: `The catalog no longer has the action \`${pin.action}\`, ${whose}` }
      : { running, field: `actions[${index.get(pin.action)}].variants`, between: lackBetween(field, lacks), said: `The action \`${pin.action}\` no longer has the variant \`${pin.variant}\`, ${whose}` });
  }
  return lost;
}

/**
 * A catalog that removes an action, or a variant, that a running experiment's arm pins: refused,
 * naming `actions` (or the action's `variants`) and the arm's field. Stop the experiment, or
 * change what its arm pins, first (a config file may do both at one start, Settings.applyFile). So is one that removes the placement a running experiment runs
 * at (`catalogPlacementLosses`: it would assign no unit from then on, while still running). A pin the catalog in force already lacked (an experiment stored
 * before pins were checked) does not stop the change: the experiments' own checks name it.
 *
 * @example
 * await catalogPinLosses({ actions: [{ id: 'socks', name: 'Socks', channels: ['web'] }] }, store.documents);
 * // [{ field: 'actions', message: 'The catalog no longer has the action `shoes`, which the running experiment `hero-test` pins in `hero-test.arms[1].variant.action`: …' }]
 */
export async function catalogPinLosses(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const pins = (await lostPins(body, documents, false)).filter((l) => l.running).map((l) => ({
    field: l.field,
    message: `${l.said}: its arm would decide as the control does from then on, and its results would compare the control with itself. Stop the experiment (\`status: stopped\`) or change what the arm pins first, then change the catalog (PUT /v1/config, or a config file at a start, may do both at once: each document is checked against the others as they will be).`,
  }));
  return [...(await catalogPlacementLosses(body, documents)), ...pins];
}

/**
 * The catalog's warnings of the experiments' pins (the catalog kind's `warnStored` calls this one
 * function): the stopped experiments at a placement the catalog lacks (`catalogPlacementWarnings`)
 * and the stopped experiments' arms that pin what the catalog lacks — a stopped experiment
 * decides nothing; restarting it is refused until the catalog has the pin again — and the running
 * experiments' arms that pin a variant the catalog has not approved ({@link catalogUnapprovedPinWarnings}).
 * Each names the catalog's field, under the same `between` as the experiments' warning of it.
 *
 * @example
 * await catalogPinWarningsOfCatalog({ actions: [] }, store.documents);
 * // [{ field: 'actions', message: 'The catalog no longer has the action `shoes`, which the stopped experiment `hero-test` pins in …', between: 'catalog lacks hero-test.arms[1].variant.action' }]
 */
export async function catalogPinWarningsOfCatalog(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const stopped = (await lostPins(body, documents, true)).filter((l) => !l.running).map((l) => ({
    field: l.field,
    between: l.between,
    message: `${l.said}: restarting it is refused until the catalog has it again or the arm pins another. The catalog is applied; the experiment's results up to its stop are read as before.`,
  }));
  return [...(await catalogPlacementWarnings(body, documents)), ...stopped, ...(await catalogUnapprovedPinWarnings(body, documents))];
}

/**
 * The running experiments' arms that pin a variant `body` has but has not approved (`draft` or
 * `rejected`): each a warning naming the variant's `status`. Only approved variants are shown, so
 * until it is approved the arm gets one drawn at random, as the control does, and its results
 * compare the control with itself. A stopped experiment decides nothing: not warned of here.
 *
 * @example
 * await catalogUnapprovedPinWarnings({ actions: [{ id: 'shoes', name: 'Shoes', channels: ['web'], variants: [{ id: 'a' }, { id: 'b', status: 'draft' }] }] }, store.documents);
 * // [{ field: 'actions[0].variants[1].status', between: 'catalog has not approved hero-test.arms[1].variant.variant', message: 'The variant `b` of the action `shoes` is draft, and the running experiment `hero-test` pins it in …' }]
 */
export async function catalogUnapprovedPinWarnings(body: Catalog, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const pins = armsOf((await documents.latest('experiments'))?.body).filter((a) => a.running && variantPin(a.arm));
  if (!pins.length) return [];
  const actions = Array.isArray(body.actions) ? body.actions : [];
  const warnings: StoredWarning[] = [];
  for (const { experiment, field, arm } of pins) {
    const { action, variant } = variantPin(arm)!;
    const i = actions.findIndex((a) => a?.id === action);
    const variants = i < 0 || !Array.isArray(actions[i].variants) ? [] : actions[i].variants!;
    const j = variants.findIndex((v) => v?.id === variant);
    const status = j < 0 ? undefined : (variants[j].status ?? 'approved');
    if (status === undefined || status === 'approved') continue;
    warnings.push({
      field: `actions[${i}].variants[${j}].status`,
      between: unapprovedBetween(field),
      message: `The variant \`${variant}\` of the action \`${action}\` is ${status}, and the running experiment \`${experiment}\` pins it in \`${field}.variant.variant\`: only approved variants are shown, so until it is approved the arm gets a variant drawn at random, as the control does, and its results compare the control with itself. The catalog is applied; approve the variant (\`status: approved\`) before the arm's subjects are counted, or stop the experiment.`,
    });
  }
  return warnings;
}
