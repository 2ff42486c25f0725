import type { FieldProblem } from '../errors/tact-error.js';

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
  /** Prepares a checked body (or the empty one) for use. */
  compile(body: Body): Compiled;
  /** The body in force before anyone wrote one. */
  empty: Body;
}
