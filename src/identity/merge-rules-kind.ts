import type { DocumentKind } from '../config/document-kind.js';
import { mergeRulesWarnings } from './merge-rules-warnings.js';
import { checkMergeRules, DEFAULT_MERGE_RULES, withDefaults, type MergeRules, type MergeRulesDocument } from './merge-rules.js';

/** The identity graph's merge rules in force. */
export const mergeRulesKind: DocumentKind<MergeRulesDocument, MergeRules> = {
  kind: 'merge-rules',
  configKey: 'mergeRules',
  fields: ['limits', 'blocked', 'unblocked', 'priority'] satisfies (keyof MergeRulesDocument)[],
  description: 'Identity merge rules: per-kind limits, blocked values, priority; each part laid over the defaults.',
  // Shown as the body in force before anyone wrote one; laid over the defaults, it is the defaults.
  empty: DEFAULT_MERGE_RULES,
  check: checkMergeRules,
  compile: withDefaults,
  warnStored: async (body) => mergeRulesWarnings(body),
};
