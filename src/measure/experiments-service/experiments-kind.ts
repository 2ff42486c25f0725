import { type DocumentKind, type StoredLookups, type StoredWarning, unknownFields } from '../../config/document-kind.js';
import type { DocumentStore } from '../../config/document-store.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { MODEL_PIN } from '../policy-eval/model-candidate.js';
import { catalogPinProblems, catalogPinWarnings, liveModelPinWarnings, modelPinProblems } from './arm-pins.js';
import { placementProblems, placementWarnings } from './experiment-placements.js';

/** What one arm pins: a policy version, a model version, or one content variant of an action (or nothing: the policy in force). */
export interface ArmDef {
  id: string;
  weight: number;
  policy?: number;
  model?: string;
  variant?: { action: string; variant: string };
}

/** One experiment as the operator writes it. */
export interface ExperimentDef {
  placement: string;
  /** Salt of the assignment hash (default: the experiment's id); changing it reshuffles everyone. */
  salt?: string;
  status?: 'running' | 'stopped';
  /** The arm the others are compared with (default: the first). */
  control?: string;
  /**
   * Total units the fixed-horizon test was planned for (a power calculation's sample size): until the
   * arms hold them, the results say its p-values and intervals are not valid yet.
   */
  plannedUnits?: number;
  arms: ArmDef[];
}

/** The `experiments` document: experiments by id. */
export type ExperimentsBody = Record<string, ExperimentDef>;

/** An experiment ready for assignment. */
export interface CompiledExperiment {
  id: string;
  placement: string;
  salt: string;
  status: 'running' | 'stopped';
  control: string;
  plannedUnits?: number;
  arms: readonly ArmDef[];
}

/** Every experiment by id, and the running one of each placement. */
export interface CompiledExperiments {
  byId: ReadonlyMap<string, CompiledExperiment>;
  running: ReadonlyMap<string, CompiledExperiment>;
}

const EXPERIMENT_FIELDS = ['placement', 'salt', 'status', 'control', 'plannedUnits', 'arms'];
const ARM_FIELDS = ['id', 'weight', 'policy', 'model', 'variant'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks an experiments document; every problem names its field.
 *
 * @example
 * checkExperiments({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }] } });
 * // [{ field: 'hero.arms', message: 'An experiment needs at least two arms; …' }]
 */
export function checkExperiments(body: unknown): FieldProblem[] {
  if (!isObj(body)) return [{ field: '(body)', message: 'The experiments document is an object of experiments by id, e.g. `{ "hero-test": { "placement": "home", "arms": [...] } }`.' }];
  const problems: FieldProblem[] = [];
  const runningAt = new Map<string, string>();
  for (const [id, e] of Object.entries(body)) {
    const f = (x: string) => `${id}.${x}`;
    if (!ID.test(id)) problems.push({ field: id, message: `The experiment id \`${id}\` must be 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.` });
    if (!isObj(e)) {
      problems.push({ field: id, message: `The experiment \`${id}\` must be an object with \`placement\` and \`arms\`.` });
      continue;
    }
    // A misspelt field would otherwise save: `polcy: 2` leaves an arm that pins nothing (an A/A test).
    problems.push(...unknownFields(e, EXPERIMENT_FIELDS, id));
    if (typeof e.placement !== 'string' || !e.placement) problems.push({ field: f('placement'), message: `The experiment \`${id}\` needs a \`placement\` (a placement id of the catalog).` });
    if (e.salt !== undefined && (typeof e.salt !== 'string' || !e.salt)) problems.push({ field: f('salt'), message: 'The `salt` must be a non-empty string.' });
    if (e.plannedUnits !== undefined && !(Number.isInteger(e.plannedUnits) && (e.plannedUnits as number) >= 1)) {
      problems.push({ field: f('plannedUnits'), message: 'The `plannedUnits` is the total number of units (subjects, all arms) the fixed-horizon test was planned for: a whole number of at least 1, e.g. 20000.' });
    }
    if (e.status !== undefined && e.status !== 'running' && e.status !== 'stopped') problems.push({ field: f('status'), message: 'The `status` is "running" or "stopped".' });
    if ((e.status ?? 'running') === 'running' && typeof e.placement === 'string') {
      const other = runningAt.get(e.placement);
      if (other) problems.push({ field: f('status'), message: `The experiments \`${other}\` and \`${id}\` both run at the placement \`${e.placement}\`; stop one of them (one running experiment per placement).` });
      else runningAt.set(e.placement, id);
    }
    if (!Array.isArray(e.arms) || e.arms.length < 2) {
      problems.push({ field: f('arms'), message: `An experiment needs at least two arms; \`${id}\` has ${Array.isArray(e.arms) ? e.arms.length : 'none'}.` });
      continue;
    }
    const seen = new Set<string>();
    e.arms.forEach((a: unknown, i: number) => problems.push(...checkArm(a, `${f('arms')}[${i}]`, seen)));
    problems.push(...weightSumProblems(e.arms, f('arms')));
    if (e.control !== undefined && !seen.has(String(e.control))) problems.push({ field: f('control'), message: `The \`control\` \`${String(e.control)}\` is not one of the arms (${[...seen].join(', ')}).` });
  }
  return problems;
}

/**
 * Weights each finite whose sum is not (1.5e308 + 1e308): normalised by that sum they would all read
 * 0. Names the arm whose weight takes the sum past the largest double.
 */
function weightSumProblems(arms: unknown[], field: string): FieldProblem[] {
  let sum = 0;
  for (let i = 0; i < arms.length; i++) {
    const w = isObj(arms[i]) ? (arms[i] as Record<string, unknown>).weight : undefined;
    if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) continue;
    sum += w;
    if (!Number.isFinite(sum)) {
      return [{ field: `${field}[${i}].weight`, message: `The arms' weights up to this one sum to more than the largest number (about 1.8e308), so they cannot be normalised to shares of the traffic; weights are relative, so scale them down (e.g. 1.5, 1 and 1e-308 for 1.5e308, 1e308 and 1).` }];
    }
  }
  return [];
}

function checkArm(a: unknown, field: string, seen: Set<string>): FieldProblem[] {
  if (!isObj(a)) return [{ field, message: 'An arm is an object with `id` and `weight`.' }];
  const p: FieldProblem[] = unknownFields(a, ARM_FIELDS, field);
  if (typeof a.id !== 'string' || !ID.test(a.id)) p.push({ field: `${field}.id`, message: 'An arm needs an `id` of 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.' });
  else if (a.id === 'holdout') p.push({ field: `${field}.id`, message: 'The arm id `holdout` is reserved for the global holdout.' });
  else if (seen.has(a.id)) p.push({ field: `${field}.id`, message: `The arm id \`${a.id}\` is used twice.` });
  else seen.add(a.id);
  if (typeof a.weight !== 'number' || !(a.weight > 0) || !Number.isFinite(a.weight)) p.push({ field: `${field}.weight`, message: 'An arm needs a positive `weight` (weights are shares of the traffic, normalised to sum to 1).' });
  const pins = ['policy', 'model', 'variant'].filter((k) => a[k] !== undefined);
  if (pins.length > 1) p.push({ field, message: `An arm pins one thing at most; this one pins ${pins.join(' and ')}.` });
  if (a.policy !== undefined && !(Number.isInteger(a.policy) && (a.policy as number) >= 1)) p.push({ field: `${field}.policy`, message: 'The `policy` is a policy version number (1, 2, …).' });
  if (a.model !== undefined && (typeof a.model !== 'string' || !MODEL_PIN.test(a.model))) p.push({ field: `${field}.model`, message: 'The `model` is the model that scores: "rate", "uplift" (the live version) or "uplift@N" (a stored version).' });
  if (a.variant !== undefined && !(isObj(a.variant) && typeof a.variant.action === 'string' && typeof a.variant.variant === 'string')) p.push({ field: `${field}.variant`, message: 'The `variant` names an action and one of its variants: `{ "action": "shoes-offer", "variant": "b" }`.' });
  return p;
}

/**
 * Checks a checked document against the stored configuration: a running experiment's placement
 * must be one of the catalog in force (`placementProblems`: else it assigns no unit, and its
 * results read nothing; a stopped one's is a warning), every pinned policy version must
 * exist (an arm pinning a missing one would fail each decision it is drawn for), and every content
 * variant a running experiment pins must be an action's of the catalog in force
 * (`catalogPinProblems`: else the arm decides as the control does; a stopped one's is a warning).
 *
 * @example
 * await checkExperimentPins({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1, policy: 7 }, { id: 'b', weight: 1 }] } }, store.documents);
 * // [{ field: 'hero.arms[0].policy', message: 'The policy version 7 does not exist; …' }]
 */
export async function checkExperimentPins(body: ExperimentsBody, documents: Pick<DocumentStore, 'get' | 'latest'>, lookups: StoredLookups = {}): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const exists = new Map<number, boolean>();
  for (const [id, e] of Object.entries(body)) {
    for (const [i, a] of e.arms.entries()) {
      if (a.policy === undefined) continue;
      if (!exists.has(a.policy)) exists.set(a.policy, (await documents.get('policy', a.policy)) !== undefined);
      if (exists.get(a.policy)) continue;
      const latest = (await documents.latest('policy'))?.version ?? 0;
      const known = latest === 0 ? 'no policy has been written yet' : `the latest is ${latest}`;
      problems.push({ field: `${id}.arms[${i}].policy`, message: `The policy version ${a.policy} does not exist (${known}); an arm can pin only a stored version — write the policy first, then pin its version.` });
    }
  }
  return [...(await placementProblems(body, documents)), ...problems, ...(await catalogPinProblems(body, documents)), ...(lookups.models ? await modelPinProblems(body, lookups.models) : [])];
}

/**
 * What a checked document pins that it likely does not mean: a stopped experiment's placement the
 * catalog lacks (`placementWarnings`), a variant not approved, or one the
 * catalog lacks in a stopped experiment (`catalogPinWarnings`), and the live uplift version while
 * none is live (`liveModelPinWarnings`, when the model registry is at hand).
 *
 * @example
 * await warnExperimentPins({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, model: 'uplift' }] } }, store.documents, { models: store.models });
 * // [{ field: 'hero.arms[1].model', message: '… no uplift version is live …' }]
 */
export async function warnExperimentPins(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>, lookups: StoredLookups = {}): Promise<StoredWarning[]> {
  return [...(await holdoutSaltWarnings(body, documents)), ...(await placementWarnings(body, documents)), ...(await catalogPinWarnings(body, documents)), ...(lookups.models ? await liveModelPinWarnings(body, lookups.models) : [])];
}

/**
 * A running experiment bucketing people with the global holdout's own salt (the policy's
 * `holdout.salt`, else "holdout" — which an experiment named `holdout` takes by default): the
 * holdout takes the people of the lowest buckets, which are the first arm's, so that arm gets
 * fewer than its weight (none, when its weight is the holdout's share or less) and the readout
 * reports a sample ratio mismatch that is the configuration's doing. A warning naming
 * `<id>.salt`, applied all the same; re-read as the policy changes.
 *
 * @example
 * await holdoutSaltWarnings({ mail: { placement: 'weekly-email', salt: 'global', arms } }, documents); // with a policy holdout { share: 0.1, salt: 'global' }
 * // [{ field: 'mail.salt', between: 'policy holdout.salt = mail.salt', message: 'The `mail.salt` is "global", the global holdout\'s own salt: …' }]
 */
async function holdoutSaltWarnings(body: ExperimentsBody, documents: Pick<DocumentStore, 'latest'>): Promise<StoredWarning[]> {
  if (!body || typeof body !== 'object') return [];
  const holdout = (await documents.latest<{ holdout?: { share?: number; salt?: string } }>('policy'))?.body?.holdout;
  if (!holdout || !(typeof holdout.share === 'number' && holdout.share > 0)) return [];
  const salt = holdout.salt ?? 'holdout';
  const out: StoredWarning[] = [];
  for (const [id, e] of Object.entries(body)) {
    if (!e || typeof e !== 'object' || (e.status ?? 'running') !== 'running' || (e.salt ?? id) !== salt) continue;
    const first = Array.isArray(e.arms) ? e.arms[0]?.id : undefined;
    out.push({
      field: `${id}.salt`,
      between: `policy holdout.salt = ${id}.salt`,
      message: `The \`${id}.salt\` is ${JSON.stringify(salt)}${e.salt === undefined ? ' (the experiment\'s id, its default)' : ''}, the global holdout's own salt: the holdout takes the ${Math.round(holdout.share * 100)}% of people in the lowest buckets, which are the first arm's${first ? ` (\`${first}\`)` : ''}, so it gets fewer than its weight (none when its weight is the holdout's share or less) and the readout reports a sample ratio mismatch. Give the experiment a salt of its own. Applied all the same.`,
    });
  }
  return out;
}

/**
 * Compiles a checked document: defaults filled, running experiments indexed by placement.
 *
 * @example
 * compileExperiments({ hero: { placement: 'home', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }] } }).running.get('home')?.salt; // 'hero'
 */
export function compileExperiments(body: ExperimentsBody): CompiledExperiments {
  const byId = new Map<string, CompiledExperiment>();
  const running = new Map<string, CompiledExperiment>();
  for (const [id, e] of Object.entries(body)) {
    const c: CompiledExperiment = { id, placement: e.placement, salt: e.salt ?? id, status: e.status ?? 'running', control: e.control ?? e.arms[0].id, ...(e.plannedUnits !== undefined ? { plannedUnits: e.plannedUnits } : {}), arms: e.arms };
    byId.set(id, c);
    if (c.status === 'running') running.set(c.placement, c);
  }
  return { byId, running };
}

/**
 * The experiments in force: A/B/n tests per placement between policy versions, model versions or
 * content variants (PUT /v1/config/experiments, or `experiments:` in the config file).
 *
 * @example
 * tact.settings.get(experimentsKind).running.get('home')?.arms;
 */
export const experimentsKind: DocumentKind<ExperimentsBody, CompiledExperiments> = {
  kind: 'experiments',
  configKey: 'experiments',
  description: 'A/B/n experiments per placement: salt, status, planned units, arms with weights, each pinning a policy version, a model version or a content variant.',
  empty: {},
  check: checkExperiments,
  checkStored: checkExperimentPins,
  warnStored: warnExperimentPins,
  compile: compileExperiments,
};
