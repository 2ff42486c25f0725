import { closestWord } from '../../errors/edit-distance.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import type { CompiledPolicy } from '../../decide/policy-compile.js';
import { MODEL_PIN } from './model-candidate.js';

/**
 * A candidate policy to evaluate on the log: a policy version, and/or changes to the levers'
 * weights, the exploration budget, the score of doing nothing, or the model that scores (`model`:
 * "rate", "uplift" for the live uplift version, "uplift@N" for a stored one — as an experiment
 * arm pins it). Unset parts stay as each logged decision's own policy had them.
 */
export interface PolicyCandidate {
  policy?: number;
  model?: string;
  levers?: Record<string, number>;
  exploration?: number;
  noneScore?: number;
}

/** What a candidate may change. */
const CANDIDATE_KEYS = ['policy', 'model', 'levers', 'exploration', 'noneScore'] as const;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Problems with a candidate as a caller sent it, each naming its field.
 *
 * @example
 * checkCandidate({ exploration: 2 }); // [{ field: 'candidate.exploration', message: '…between 0 and 1…' }]
 */
export function checkCandidate(c: unknown): FieldProblem[] {
  if (!isObj(c)) return [{ field: 'candidate', message: 'The `candidate` is an object: `{ "policy": 3 }`, `{ "levers": { "winter push": 1.5 } }`, `{ "exploration": 0.1 }` or a mix.' }];
  const p: FieldProblem[] = [];
  // A misspelt key beside known ones changed nothing, yet was echoed back as if applied (until 2026-12-05).
  for (const k of Object.keys(c)) {
    if ((CANDIDATE_KEYS as readonly string[]).includes(k)) continue;
    const near = closestWord(k, new Set(CANDIDATE_KEYS), 2) ?? CANDIDATE_KEYS.find((x) => x.toLowerCase() === k.toLowerCase());
    p.push({ field: `candidate.${k}`, message: `The \`candidate.${k}\` is not a part of a candidate (${CANDIDATE_KEYS.join(', ')}): it would change nothing.${near ? ` Did you mean \`${near}\`?` : ''}` });
  }
  if (c.policy !== undefined && !(Number.isInteger(c.policy) && (c.policy as number) >= 1)) p.push({ field: 'candidate.policy', message: 'The `candidate.policy` is a policy version number (1, 2, …).' });
  if (c.exploration !== undefined && !(typeof c.exploration === 'number' && c.exploration >= 0 && c.exploration <= 1)) p.push({ field: 'candidate.exploration', message: 'The `candidate.exploration` is a share between 0 and 1.' });
  if (c.noneScore !== undefined && !(typeof c.noneScore === 'number' && Number.isFinite(c.noneScore))) p.push({ field: 'candidate.noneScore', message: 'The `candidate.noneScore` is a number.' });
  if (c.model !== undefined && !(typeof c.model === 'string' && MODEL_PIN.test(c.model))) p.push({ field: 'candidate.model', message: 'The `candidate.model` is "rate", "uplift" (the live uplift version) or "uplift@N" (a stored version).' });
  if (c.levers !== undefined) {
    if (!isObj(c.levers)) p.push({ field: 'candidate.levers', message: 'The `candidate.levers` maps lever names to weights: `{ "winter push": 1.5 }`.' });
    else for (const [name, w] of Object.entries(c.levers)) if (!(typeof w === 'number' && w >= 0 && Number.isFinite(w))) p.push({ field: `candidate.levers.${name}`, message: `The weight of the lever \`${name}\` must be a number ≥ 0.` });
  }
  if (!p.length && c.policy === undefined && c.levers === undefined && c.exploration === undefined && c.noneScore === undefined && c.model === undefined) {
    p.push({ field: 'candidate', message: 'The `candidate` changes nothing: give a `policy` version, `levers`, `exploration`, `noneScore` or `model`.' });
  }
  return p;
}

/**
 * A compiled policy with the candidate's changes applied (lever weights by name).
 *
 * @example
 * withCandidate(policy, { levers: { 'winter push': 2 }, exploration: 0.1 }).exploration; // 0.1
 */
export function withCandidate(p: CompiledPolicy, c: PolicyCandidate): CompiledPolicy {
  const levers = c.levers ? p.levers.map((l) => (c.levers && Object.hasOwn(c.levers, l.name) ? { ...l, weight: c.levers[l.name] } : l)) : p.levers;
  return { ...p, levers, exploration: c.exploration ?? p.exploration, noneScore: c.noneScore ?? p.noneScore };
}

