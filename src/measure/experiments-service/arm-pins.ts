/**
 * What an experiment's arm pins, against what exists: a content variant against the catalog in
 * force, a model version against the model registry. A pin that matches nothing does not fail a
 * decision: the arm decides without it — pipeline.ts pins a variant only when the chosen action
 * has it, so the arm decides as the control does; without the uplift version the arm's decisions
 * score by rates (decision-inputs.ts, scoring.ts) — while the results name the arm as if it had
 * run: refused when written (a content variant, for a running experiment: a stopped one decides
 * nothing, and the catalog may have dropped the variant since — a warning, and restarting it is
 * refused). A variant that exists but is not approved is a warning:
 * approving it in the catalog is how it is meant to go live, and the experiment may be written
 * first; so is `uplift` (the live version) while none is live. The catalog's write sees the same
 * pins from its side (catalog-pins.ts), through the readers here.
 */
import type { StoredLookups, StoredWarning } from '../../config/document-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { Catalog } from '../../decide/catalog.js';
import { closestWord } from '../../errors/edit-distance.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import type { ArmDef, ExperimentsBody } from './experiments-kind.js';

/** One arm of an experiments document: its experiment, whether that runs, and the field it is at. */
export interface ArmAt {
  experiment: string;
  running: boolean;
  field: string;
  arm: ArmDef;
}

/** A content pin: an action of the catalog and one of its variants. */
export type VariantPin = NonNullable<ArmDef['variant']>;

/** The catalog's actions by id, each with its variants' ids and statuses. */
export type CatalogVariants = ReadonlyMap<string, ReadonlyMap<string, string>>;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The arms of an experiments document, of one stored before it was checked too (what is not an
 * experiment with arms, or not an arm, is skipped): the one reading of arms that the experiments'
 * checks and the catalog's (catalog-pins.ts) share.
 *
 * @example
 * armsOf({ hero: { placement: 'home', status: 'stopped', arms: [{ id: 'a', weight: 1 }] } });
 * // [{ experiment: 'hero', running: false, field: 'hero.arms[0]', arm: { id: 'a', weight: 1 } }]
 */
export function armsOf(body: unknown): ArmAt[] {
  if (!isObj(body)) return [];
  return Object.entries(body).flatMap(([experiment, e]) => {
    if (!isObj(e) || !Array.isArray(e.arms)) return [];
    const running = (e.status ?? 'running') === 'running';
    return e.arms.flatMap((arm: unknown, i) => (isObj(arm) ? [{ experiment, running, field: `${experiment}.arms[${i}]`, arm: arm as unknown as ArmDef }] : []));
  });
}

/** The arm's content pin, when it has one of the shape a checked document has. */
export function variantPin(arm: ArmDef): VariantPin | undefined {
  const v: unknown = arm.variant;
  return isObj(v) && typeof v.action === 'string' && typeof v.variant === 'string' ? { action: v.action, variant: v.variant } : undefined;
}

/**
 * The catalog's actions by id, each with its variants' ids and statuses (of a body stored before
 * it was checked too: what is not one is skipped).
 *
 * @example
 * catalogVariants({ actions: [{ id: 'shoes', variants: [{ id: 'b', status: 'draft' }] }] }); // Map { 'shoes' => Map { 'b' => 'draft' } }
 */
export function catalogVariants(body: Catalog | undefined): Map<string, Map<string, string>> {
  const actions = new Map<string, Map<string, string>>();
  for (const a of Array.isArray(body?.actions) ? body.actions : []) {
    if (typeof a?.id !== 'string') continue;
    const variants = new Map<string, string>();
    for (const v of Array.isArray(a.variants) ? a.variants : []) if (typeof v?.id === 'string') variants.set(v.id, v.status ?? 'approved');
    actions.set(a.id, variants);
  }
  return actions;
}

/**
 * What of a content pin the catalog lacks: its `action`, the action's `variant`, or nothing.
 * Either way the arm decides as the control does (pipeline.ts pins a variant only when the chosen
 * action has it).
 *
 * @example
 * pinLacks(catalogVariants(catalog), { action: 'shoes', variant: 'c' }); // 'variant'
 */
export function pinLacks(actions: CatalogVariants, pin: VariantPin): 'action' | 'variant' | undefined {
  const variants = actions.get(pin.action);
  return !variants ? 'action' : variants.has(pin.variant) ? undefined : 'variant';
}

/**
 * What a warning of a pinned variant the catalog has not approved is between, on both sides (the
 * catalog's, catalog-pins.ts; the experiments', `catalogPinWarnings`), so a config file that applies both says it once (file-warnings.ts).
 *
 * @example
 * unapprovedBetween('hero-test.arms[1]'); // 'catalog has not approved hero-test.arms[1].variant.variant'
 */
export function unapprovedBetween(field: string): string {
  return `catalog has not approved ${field}.variant.variant`;
}

/**
 * What a warning of a pin the catalog lacks is between, the same string on both sides (the
 * experiments', `catalogPinWarnings`; the catalog's, catalog-pins.ts), so a config file that
 * applies both says it once.
 */
export function lackBetween(field: string, lacks: 'action' | 'variant'): string {
  return `catalog lacks ${field}.variant.${lacks}`;
}

/** What the catalog lacks of an arm's pin, said from the experiments' side: the field and the sentence's start, with its hint. */
function lackSaid(field: string, pin: VariantPin, lacks: 'action' | 'variant', actions: CatalogVariants, catalog: { version: number } | undefined): { at: string; said: string; hint: string } {
  const { action, variant } = pin;
  if (lacks === 'action') {
    const at = `${field}.variant.action`;
    const near = closestWord(action, actions.keys());
    const why = catalog ? `which the catalog (version ${catalog.version}) does not have` : 'and no catalog is written yet (write the catalog first; a config file writes it before the experiments)';
    const ids = [...actions.keys()];
    const hint = near ? ` Did you mean \`${near}\`?` : !catalog ? '' : ids.length === 0 ? ' The catalog has no actions.' : ids.length <= 12 ? ` The catalog's actions are ${ids.join(', ')}.` : ` The catalog has ${ids.length} actions.`;
    return { at, said: `The \`${at}\` names the action \`${action}\`, ${why}`, hint };
  }
  const at = `${field}.variant.variant`;
  const variants = actions.get(action)!;
  const has = variants.size ? `which it does not have (its variants are ${[...variants.keys()].join(', ')})` : `but the action \`${action}\` has no variants`;
  return { at, said: `The \`${at}\` names the variant \`${variant}\` of the action \`${action}\`, ${has}`, hint: '' };
}

/**
 * The arms of running experiments whose `variant` names an action the catalog in force does not
 * have, or a variant that action does not have: each a problem naming `….variant.action` or
 * `….variant.variant` (with the closest action, or the action's variants). A stopped experiment
 * decides nothing: its pin is warned of (`catalogPinWarnings`), and refused when it runs again.
 * The config file writes the catalog before the experiments, so a file that adds both is checked
 * against its own catalog.
 *
 * @example
 * await catalogPinProblems({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, variant: { action: 'shoe', variant: 'b' } }] } }, store.documents);
 * // [{ field: 'hero.arms[1].variant.action', message: 'The `hero.arms[1].variant.action` names the action `shoe`, … Did you mean `shoes`?' }]
 */
export async function catalogPinProblems(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const pins = armsOf(body).filter((a) => a.running && variantPin(a.arm));
  if (!pins.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const actions = catalogVariants(catalog?.body);
  const asControl = 'the arm would decide as the control does, and its results would compare the control with itself';
  const problems: FieldProblem[] = [];
  for (const { field, arm } of pins) {
    const pin = variantPin(arm)!;
    const lacks = pinLacks(actions, pin);
    if (!lacks) continue;
    const { at, said, hint } = lackSaid(field, pin, lacks, actions, catalog);
    problems.push({ field: at, message: `${said}: ${asControl}.${hint}` });
  }
  return problems;
}

/**
 * The arms that pin a variant the catalog in force has but has not approved (`draft` or
 * `rejected`): each a warning naming `….variant.variant`. Only approved variants are shown, so
 * until it is approved the arm gets one drawn at random, as the control does. And the arms of
 * stopped experiments that pin what the catalog lacks: restarting them is refused.
 *
 * @example
 * await catalogPinWarnings({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, variant: { action: 'shoes', variant: 'bold' } }] } }, store.documents);
 * // [{ field: 'hero.arms[1].variant.variant', message: 'The `hero.arms[1].variant.variant` pins the variant `bold` of the action `shoes`, which is draft …' }]
 */
export async function catalogPinWarnings(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const pins = armsOf(body).filter((a) => variantPin(a.arm));
  if (!pins.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const actions = catalogVariants(catalog?.body);
  const warnings: StoredWarning[] = [];
  for (const { experiment, running, field, arm } of pins) {
    const pin = variantPin(arm)!;
    const { action, variant } = pin;
    const lacks = pinLacks(actions, pin);
    if (lacks && !running) {
      const { at, said } = lackSaid(field, pin, lacks, actions, catalog);
      warnings.push({ field: at, between: lackBetween(field, lacks), message: `${said}: the stopped experiment \`${experiment}\` decides nothing, but restarting it is refused until the catalog has the ${lacks} again or the arm pins another. The experiments are applied.` });
      continue;
    }
    const status = actions.get(action)?.get(variant);
    if (status === undefined || status === 'approved') continue;
    const at = `${field}.variant.variant`;
    warnings.push({
      field: at,
      between: unapprovedBetween(field),
      message: `The \`${at}\` pins the variant \`${variant}\` of the action \`${action}\`, which is ${status} in the catalog (version ${catalog?.version}): only approved variants are shown, so until it is approved the arm gets a variant drawn at random, as the control does, and its results compare the control with itself. The experiments are applied; approve the variant in the catalog (\`status: approved\`) before the arm's subjects are counted.`,
    });
  }
  return warnings;
}

/**
 * The arms whose `model` pins an uplift version (`uplift@N`) the model registry does not have:
 * each a problem naming `….model` and the latest version. (`uplift`, the live version, and
 * `rate` name no version.)
 *
 * @example
 * await modelPinProblems({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, model: 'uplift@4' }] } }, store.models);
 * // [{ field: 'hero.arms[1].model', message: 'The model version uplift@4 does not exist (the latest uplift version is 2); …' }]
 */
export async function modelPinProblems(body: ExperimentsBody, models: NonNullable<StoredLookups['models']>): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const exists = new Map<number, boolean>();
  for (const { field, arm } of armsOf(body)) {
    const m = arm.model === undefined ? null : /^uplift@(\d+)$/.exec(arm.model);
    if (!m) continue;
    const v = Number(m[1]);
    if (!exists.has(v)) exists.set(v, (await models.getVersion('uplift', v)) !== undefined);
    if (exists.get(v)) continue;
    const latest = (await models.versions('uplift', 1))[0]?.version;
    const known = latest === undefined ? 'no uplift model has been trained yet' : `the latest uplift version is ${latest}`;
    problems.push({ field: `${field}.model`, message: `The model version ${arm.model} does not exist (${known}); an arm can pin only a stored version — train it first (\`tact train uplift\`), then pin its version. Without it the arm's decisions would score by rates, not by the model the arm names.` });
  }
  return problems;
}

/**
 * The arms whose `model` pins `uplift`, the live uplift version, while no uplift version is live:
 * each a warning naming `….model`. Such an arm scores by rates (decision-inputs.ts finds no model,
 * scoring.ts falls back to the rates), as a `rate` arm does: its results would compare rates with
 * rates. A warning, not a refusal: promoting a version is how the arm is meant to start scoring.
 *
 * @example
 * await liveModelPinWarnings({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1, model: 'rate' }, { id: 'b', weight: 1, model: 'uplift' }] } }, store.models);
 * // [{ field: 'hero.arms[1].model', message: 'The `hero.arms[1].model` pins `uplift`, the live uplift version, and no uplift version is live (…' }]
 */
export async function liveModelPinWarnings(body: ExperimentsBody, models: NonNullable<StoredLookups['models']>): Promise<StoredWarning[]> {
  const arms = armsOf(body).filter((a) => a.arm.model === 'uplift');
  if (!arms.length || (await models.live('uplift'))) return [];
  const latest = (await models.versions('uplift', 1))[0]?.version;
  const known = latest === undefined ? 'no uplift model has been trained yet' : `version ${latest} is trained but not live: promote it`;
  return arms.map(({ field }) => ({
    field: `${field}.model`,
    message: `The \`${field}.model\` pins \`uplift\`, the live uplift version, and no uplift version is live (${known}): the arm's decisions score by rates, as a \`rate\` arm's do, so its results compare rates with rates. The experiments are applied; promote an uplift version (\`POST /v1/models/uplift/promote\`), or pin a stored one (\`uplift@N\`), before the arm's subjects are counted.`,
  }));
}
