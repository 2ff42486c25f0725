/**
 * The operator's merge rules for the identity graph (compare Segment's Identity Resolution
 * settings): how many values of each identifier kind one profile may hold, which values are never
 * identifiers, and which kinds win when a limit is hit.
 */
export interface MergeRules {
  /** Most distinct values of a kind on one profile, e.g. { userId: 1 }. Kinds not listed have no limit. */
  limits: Record<string, number>;
  /** Values that are never treated as identifiers (compared case-insensitively, after trimming). */
  blocked: string[];
  /** Identifier kinds from strongest to weakest; kinds not listed come after, in name order, before anonymousId. */
  priority: string[];
}

/** Values that a broken client sends when it has no id; never merge on them. */
export const DEFAULT_BLOCKED = ['', 'null', 'undefined', 'anonymous', 'unknown', 'none', 'nil', 'n/a', '0', '-1', 'nan', 'guest', 'test@test.com'];

export const DEFAULT_MERGE_RULES: MergeRules = {
  limits: { userId: 1, email: 5 },
  blocked: DEFAULT_BLOCKED,
  priority: ['userId', 'email', 'anonymousId'],
};

/**
 * The rank of a kind in the priority order (lower is stronger).
 *
 * @example
 * kindRank(DEFAULT_MERGE_RULES, 'userId'); // 0
 */
export function kindRank(rules: MergeRules, kind: string): number {
  const i = rules.priority.indexOf(kind);
  if (i >= 0) return i;
  // Unlisted external kinds sit between the listed ones and anonymousId when anonymousId is listed last.
  const anon = rules.priority.indexOf('anonymousId');
  return anon >= 0 ? anon - 0.5 : rules.priority.length;
}

/** Whether a value may serve as an identifier under these rules. */
export function isBlocked(rules: MergeRules, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return true;
  // Asked for every identifier of every message: the blocked list is normalised once per rules object.
  let set = blockedSets.get(rules);
  if (!set) blockedSets.set(rules, (set = new Set(rules.blocked.map((b) => b.trim().toLowerCase()))));
  return set.has(v);
}

const blockedSets = new WeakMap<MergeRules, Set<string>>();

/** Checks an operator's merge rules document; returns the problems (empty when valid). */
export function checkMergeRules(doc: unknown): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (doc === null || typeof doc !== 'object') return [{ field: 'mergeRules', message: 'The merge rules must be a JSON object with `limits`, `blocked` and `priority`.' }];
  const d = doc as Record<string, unknown>;
  if (d.limits !== undefined) {
    if (typeof d.limits !== 'object' || d.limits === null) problems.push({ field: 'limits', message: 'The `limits` property must be an object of identifier kind → maximum count.' });
    else for (const [k, v] of Object.entries(d.limits)) {
      if (!Number.isInteger(v) || (v as number) < 1) problems.push({ field: `limits.${k}`, message: `The limit for \`${k}\` must be a whole number of at least 1.` });
    }
  }
  if (d.blocked !== undefined && (!Array.isArray(d.blocked) || d.blocked.some((b) => typeof b !== 'string'))) {
    problems.push({ field: 'blocked', message: 'The `blocked` property must be a list of strings.' });
  }
  if (d.priority !== undefined && (!Array.isArray(d.priority) || d.priority.some((b) => typeof b !== 'string'))) {
    problems.push({ field: 'priority', message: 'The `priority` property must be a list of identifier kinds, strongest first.' });
  }
  return problems;
}

/** Fills the defaults in a partial merge rules document. */
export function withDefaults(partial: Partial<MergeRules> | undefined): MergeRules {
  return {
    limits: partial?.limits ?? DEFAULT_MERGE_RULES.limits,
    blocked: partial?.blocked ?? DEFAULT_MERGE_RULES.blocked,
    priority: partial?.priority ?? DEFAULT_MERGE_RULES.priority,
  };
}
