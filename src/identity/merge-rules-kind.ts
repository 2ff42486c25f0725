import type { DocumentKind } from '../config/document-kind.js';
import { checkMergeRules, DEFAULT_MERGE_RULES, withDefaults, type MergeRules } from './merge-rules.js';

/** The identity graph's merge rules in force. */
export const mergeRulesKind: DocumentKind<Partial<MergeRules>, MergeRules> = {
  kind: 'merge-rules',
  configKey: 'mergeRules',
  fields: ['limits', 'blocked', 'priority'] satisfies (keyof MergeRules)[],
  description: 'Identity merge rules: per-kind limits, blocked values, priority.',
  empty: DEFAULT_MERGE_RULES,
  check: checkMergeRules,
  compile: withDefaults,
};
