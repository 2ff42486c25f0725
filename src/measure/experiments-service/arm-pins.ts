/**
 * What an experiment's arm pins, against what exists: a content variant against the catalog in
 * force, a model version against the model registry. A pin that matches nothing does not fail a
 * decision: the arm decides without it — pipeline.ts pins a variant only when the chosen action
 * has it, so the arm decides as the control does; without the uplift version the arm's decisions
 * score by rates (decision-inputs.ts, scoring.ts) — while the results name the arm as if it had
 * run: refused when written. A variant that exists but is not approved is a warning: approving it in the catalog is
 * how it is meant to go live, and the experiment may be written first.
 */
import type { StoredLookups, StoredWarning } from '../../config/document-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { Catalog } from '../../decide/catalog.js';
import { closestWord } from '../../errors/edit-distance.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import type { ArmDef, ExperimentsBody } from './experiments-kind.js';

/** One arm of the document with the field it is at. */
interface ArmAt {
  field: string;
  arm: ArmDef;
}

function armsOf(body: ExperimentsBody): ArmAt[] {
  return Object.entries(body).flatMap(([id, e]) => e.arms.map((arm, i) => ({ field: `${id}.arms[${i}]`, arm })));
}

/** The catalog's actions by id, each with its variants' ids and statuses (of a body stored before it was checked too: what is not one is skipped). */
function catalogVariants(body: Catalog | undefined): Map<string, Map<string, string>> {
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
 * The arms whose `variant` names an action the catalog in force does not have, or a variant that
 * action does not have: each a problem naming `….variant.action` or `….variant.variant` (with the
 * closest action, or the action's variants). The config file writes the catalog before the
 * experiments, so a file that adds both is checked against its own catalog.
 *
 * @example
 * await catalogPinProblems({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, variant: { action: 'shoe', variant: 'b' } }] } }, store.documents);
 * // [{ field: 'hero.arms[1].variant.action', message: 'The `hero.arms[1].variant.action` names the action `shoe`, … Did you mean `shoes`?' }]
 */
export async function catalogPinProblems(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>): Promise<FieldProblem[]> {
  const pins = armsOf(body).filter((a) => a.arm.variant);
  if (!pins.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const actions = catalogVariants(catalog?.body);
  const asControl = 'the arm would decide as the control does, and its results would compare the control with itself';
  const problems: FieldProblem[] = [];
  for (const { field, arm } of pins) {
    const { action, variant } = arm.variant!;
    const variants = actions.get(action);
    if (!variants) {
      const at = `${field}.variant.action`;
      const near = closestWord(action, actions.keys());
      const why = catalog ? `which the catalog (version ${catalog.version}) does not have` : 'and no catalog is written yet (write the catalog first; a config file writes it before the experiments)';
      const ids = [...actions.keys()];
      const hint = near ? ` Did you mean \`${near}\`?` : !catalog ? '' : ids.length === 0 ? ' The catalog has no actions.' : ids.length <= 12 ? ` The catalog's actions are ${ids.join(', ')}.` : ` The catalog has ${ids.length} actions.`;
      problems.push({ field: at, message: `The \`${at}\` names the action \`${action}\`, ${why}: ${asControl}.${hint}` });
      continue;
    }
    if (variants.has(variant)) continue;
    const at = `${field}.variant.variant`;
    const has = variants.size ? `which it does not have (its variants are ${[...variants.keys()].join(', ')})` : `but the action \`${action}\` has no variants`;
    problems.push({ field: at, message: `The \`${at}\` names the variant \`${variant}\` of the action \`${action}\`, ${has}: ${asControl}.` });
  }
  return problems;
}

/**
 * The arms that pin a variant the catalog in force has but has not approved (`draft` or
 * `rejected`): each a warning naming `….variant.variant`. Only approved variants are shown, so
 * until it is approved the arm gets one drawn at random, as the control does.
 *
 * @example
 * await catalogPinWarnings({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, variant: { action: 'shoes', variant: 'bold' } }] } }, store.documents);
 * // [{ field: 'hero.arms[1].variant.variant', message: 'The `hero.arms[1].variant.variant` pins the variant `bold` of the action `shoes`, which is draft …' }]
 */
export async function catalogPinWarnings(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  const pins = armsOf(body).filter((a) => a.arm.variant);
  if (!pins.length) return [];
  const catalog = await documents.latest<Catalog>('catalog');
  const actions = catalogVariants(catalog?.body);
  const warnings: StoredWarning[] = [];
  for (const { field, arm } of pins) {
    const { action, variant } = arm.variant!;
    const status = actions.get(action)?.get(variant);
    if (status === undefined || status === 'approved') continue;
    const at = `${field}.variant.variant`;
    warnings.push({
      field: at,
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
