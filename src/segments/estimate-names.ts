import type { StoredLookups, StoredWarning } from '../config/document-kind.js';
import type { DocumentStore } from '../config/document-store.js';
import { variablePaths } from '../rules/cel.js';
import { namesIn, sendTimeConfigured } from './estimate-uses.js';

/**
 * The names under which a segment rule may read an estimate: the rates configured
 * (`estimates.rates.<rate>`) and the metrics (`estimates.baselines.<metric>`), and whether send time
 * is configured (`estimates.sendTime`: engagement events named), from the documents
 * stored — or, while a config file is applied, as they will be once it is (Settings.applyFile checks
 * its segments against the rates and metrics of the same file, though it writes the segments first).
 *
 * @example
 * await configuredEstimates(store.documents); // { rates: ['email_open'], metrics: ['session_length'], sendTime: false }
 */
export async function configuredEstimates(documents: Pick<DocumentStore, 'latest'>): Promise<{ rates: string[]; metrics: string[]; sendTime: boolean }> {
  const [rates, metrics, sendTime] = await Promise.all([documents.latest('rates'), documents.latest('metrics'), documents.latest('send-time')]);
  return { rates: namesIn(rates?.body), metrics: namesIn(metrics?.body), sendTime: sendTimeConfigured(sendTime?.body) };
}

/**
 * The sentence refusing a segment rule that reads `estimates.sendTime` while send time is not
 * configured: it is null for every subject then, and the rule fails for everyone (until
 * 2026-12-06 it was taken). Undefined when send time is configured or the rule does not read it.
 *
 * @example
 * sendTimeProblem('estimates.sendTime.slot == 34', 'audiences[0].when', false); // 'The rule in `audiences[0].when` reads `estimates.sendTime`, and no send time is configured: …'
 */
export function sendTimeProblem(expression: string, field: string, configured: boolean): string | undefined {
  if (configured || !(variablePaths(expression, 'estimates') ?? []).some((p) => p[0] === 'sendTime')) return undefined;
  return `The rule in \`${field}\` reads \`estimates.sendTime\`, and no send time is configured: it has no value for any subject, so the rule could not be evaluated for anyone. Name the engagement events that teach send time first (\`engagement\` of the send-time settings, e.g. [{ "event": "Email Opened" }]: PUT /v1/config/send-time, or the \`sendTime\` section of the config file).`;
}

/** What each kind of estimate rests on before a model trained for it, for the warning naming it (a decision rule's rates too: decision-estimate-warnings.ts). */
export const UNTRAINED = {
  rates: { model: 'rates', holds: (state: unknown, name: string) => hasKey(state, 'rates', name), what: 'rate', until: 'it is estimated with the default ladder (a uniform prior, default pooling) over the events counted so far' },
  baselines: { model: 'baselines', holds: (state: unknown, name: string) => hasKey(state, 'pools', name), what: 'metric', until: "a subject's baseline rests on its own readings alone, and one with none has no value (the rule cannot be evaluated for it and leaves it out)" },
} as const;

const hasKey = (state: unknown, field: string, name: string) => {
  const map = state && typeof state === 'object' ? (state as Record<string, unknown>)[field] : undefined;
  return !!map && typeof map === 'object' && Object.hasOwn(map, name);
};

/**
 * Each segment rule that reads a configured rate or metric no trained model holds yet (none is
 * live, or the live one was trained before the rate was added): taken all the same — the estimate
 * exists, status "learning" — with a warning naming the rule, the estimate and what it rests on until
 * a training. None when no model registry is at hand (`lookups`).
 *
 * @example
 * await untrainedEstimateWarnings({ audiences: [{ name: 'x', when: 'estimates.rates.email_open.value > 0.3' }] }, { models: store.models });
 * // [{ field: 'audiences[0].when', message: 'The rule in `audiences[0].when` reads `estimates.rates.email_open`, and no trained rates model holds that rate yet: …' }]
 */
export async function untrainedEstimateWarnings(body: { audiences?: { when: string }[] }, lookups: StoredLookups | undefined): Promise<StoredWarning[]> {
  const holds = trainedHolds(lookups);
  if (!holds) return [];
  const out: StoredWarning[] = [];
  for (const [i, a] of (body.audiences ?? []).entries()) {
    const field = `audiences[${i}].when`;
    const seen = new Set<string>();
    for (const [kind, name] of variablePaths(a.when, 'estimates') ?? []) {
      if ((kind !== 'rates' && kind !== 'baselines') || name === undefined || seen.has(`${kind}.${name}`)) continue;
      seen.add(`${kind}.${name}`);
      const u = UNTRAINED[kind];
      if (await holds(kind, name)) continue;
      out.push({ field, message: `The rule in \`${field}\` reads \`estimates.${kind}.${name}\`, and no trained ${u.model} model holds that ${u.what} yet: until one does (the training schedule, or POST /v1/models/${u.model}/train), ${u.until}. The segment is taken.` });
    }
  }
  return out;
}

/**
 * Whether the live trained model of a kind of estimate holds a name (the rates model a rate, the
 * baselines model a metric's pool), each model's live state read once; undefined when no model
 * registry is at hand (`lookups`).
 *
 * @example
 * await trainedHolds({ models: store.models })?.('rates', 'email_open'); // false before the first training
 */
export function trainedHolds(lookups: StoredLookups | undefined): ((kind: keyof typeof UNTRAINED, name: string) => Promise<boolean>) | undefined {
  const models = lookups?.models;
  if (!models) return undefined;
  const states = new Map<string, Promise<unknown>>();
  const stateOf = (model: string) => {
    let s = states.get(model);
    if (!s) states.set(model, (s = models.live(model).then((live) => (live ? models.getVersion(model, live.version) : undefined)).then((v) => (v as { state?: unknown } | undefined)?.state)));
    return s;
  };
  return async (kind, name) => UNTRAINED[kind].holds(await stateOf(UNTRAINED[kind].model), name);
}
