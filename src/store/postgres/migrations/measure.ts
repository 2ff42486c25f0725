import type { Migration } from '../../sqlite/migrations/index.js';

/** Measurement: indexes for paging the decision log by placement and reading subjects' outcomes — PostgreSQL. */
export const measurePostgres: Migration[] = [
  {
    id: 'measure-001',
    name: 'decision log by placement and time, outcomes by subject and time',
    sql: `
-- Experiment results and off-policy evaluation page through one placement's decisions in (at, id) order.
CREATE INDEX decisions_placement_at ON decisions (placement, at, id);
-- Experiment results read each subject's outcomes from before its first exposure on.
CREATE INDEX decision_outcomes_profile ON decision_outcomes (profile_key, at);
`,
  },
];
