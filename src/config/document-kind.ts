import type { FieldProblem } from '../errors/tact-error.js';
import type { DocumentStore } from './document-store.js';
import { closestWord } from '../errors/edit-distance.js';

/**
 * One kind of operator-owned configuration document: how it is checked, what it compiles to,
 * and the key it has in tact.config.yaml. Capabilities declare their kinds; Settings loads them.
 *
 * @example
 * export const mergeRulesKind: DocumentKind<MergeRules, MergeRules> = {
 *   kind: 'merge-rules', configKey: 'mergeRules', check: checkMergeRules, compile: withDefaults, empty: DEFAULT_MERGE_RULES,
 * };
 */
export interface DocumentKind<Body, Compiled> {
  /** Stored document kind and API name, e.g. "features". */
  kind: string;
  /** Key in the config file, e.g. "features". */
  configKey: string;
  /** One sentence for docs and --help. */
  description: string;
  /** Problems with a proposed body, each naming its field; empty when valid. */
  check(body: unknown): FieldProblem[];
  /** Prepares a checked body (or the empty one) for use; `versions` are its latest stored versions, newest (this one) first, when `history` asks for them. */
  compile(body: Body, versions?: readonly { version: number; body: Body }[]): Compiled;
  /** How many of its latest versions `compile` is given (none when absent). */
  history?: number;
  /** The body in force before anyone wrote one. */
  empty: Body;
  /**
   * The body's top-level fields, when it is an object of known fields: any other is refused (a
   * misspelt `audience` would otherwise save, and leave every segment out).
   */
  fields?: readonly string[];
  /**
   * Dotted paths of the body's secrets (`webhook.secret`): write-only. Every read through the API
   * shows them as `{"redacted": true}`, and a write that sends that marker back keeps the stored
   * secret (src/config/secrets.ts).
   */
  secrets?: readonly string[];
  /**
   * Checks that need the stored configuration (a version the body names must exist), run once
   * `check` finds nothing; problems name their fields as `check`'s do.
   */
  checkStored?(body: Body, documents: Pick<DocumentStore, 'get' | 'latest'>, lookups?: StoredLookups): Promise<FieldProblem[]>;
  /**
   * What a checked body does that it likely does not mean, against the stored configuration (a
   * placement's bandit floor the policy's budget caps): applied all the same, each a warning naming
   * its field — answered by `PUT /v1/config/{kind}` and `GET /v1/config/{kind}`, logged when the
   * config file applies the kind. `lookups` as `checkStored` has them (an arm pinning the live
   * uplift version while none is live).
   */
  warnStored?(body: Body, documents: Pick<DocumentStore, 'get' | 'latest'>, lookups?: StoredLookups): Promise<StoredWarning[]>;
}

/**
 * What checks against stored state may ask beyond the configuration documents: the model
 * registry's versions and the live one (an experiment's arm may pin `uplift@N`, or `uplift`).
 * Absent where no registry is at hand (a test's Settings over documents alone): such a check is
 * skipped, not failed.
 *
 * @example
 * new Settings(store.documents, documentKinds, { models: store.models });
 */
export interface StoredLookups {
  models?: {
    getVersion(name: string, version: number): Promise<unknown>;
    versions(name: string, limit: number): Promise<readonly { version: number }[]>;
    live(name: string): Promise<{ version: number } | undefined>;
  };
  /** The flags open now (not cleared): a policy reading a flag name none has, beside a close one, is warned of. */
  flags?: { openFlags(): Promise<readonly { name: string }[]> };
}

/**
 * A warning of `warnStored`. A contradiction between two documents is warned of by each (the
 * catalog names its floor, the policy its budget): `between` names the contradiction, the same
 * string on both sides, so a config file that applies both sections says it once.
 *
 * @example
 * const w: StoredWarning = { field: 'exploration.budget', message: 'The `exploration.budget` (0.05) is below …', between: 'exploration.budget > placements[0].selection.floor' };
 */
export interface StoredWarning extends FieldProblem {
  between?: string;
}

/**
 * The fields of an object that are not among `known`, each a problem naming it (and the known
 * field it is likely a misspelling of).
 *
 * @example
 * unknownFields({ audience: [] }, ['audiences', 'microSegments']); // [{ field: 'audience', message: '… Did you mean `audiences`? …' }]
 */
export function unknownFields(body: unknown, known: readonly string[], at = ''): FieldProblem[] {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.keys(body).filter((k) => !known.includes(k)).map((k) => {
    const near = closestWord(k, known);
    const field = at ? `${at}.${k}` : k;
    return { field, message: `The \`${field}\` field is not one Tact knows here${near ? `. Did you mean \`${near}\`?` : '.'} The fields are ${known.join(', ')}.` };
  });
}

