import type { Migration } from '../../sqlite/migrations/index.js';

/** Collection, identity graph, profiles, documents, keys — PostgreSQL. */
export const corePostgres: Migration[] = [
  {
    id: 'core-001',
    name: 'collection, identity graph, profiles, documents, keys',
    sql: `
CREATE TABLE events (
  seq BIGSERIAL PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  profile_id TEXT NOT NULL,
  type TEXT NOT NULL,
  event TEXT,
  ts BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX events_profile ON events (profile_id, seq);
CREATE TABLE profiles (
  id TEXT PRIMARY KEY,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  merged_into TEXT,
  state TEXT
);
CREATE INDEX profiles_merged ON profiles (merged_into) WHERE merged_into IS NOT NULL;
CREATE TABLE identities (
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, value)
);
CREATE INDEX identities_profile ON identities (profile_id);
CREATE TABLE merges (
  id BIGSERIAL PRIMARY KEY,
  into_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  via_kind TEXT NOT NULL,
  via_value TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX merges_into ON merges (into_id);
CREATE INDEX merges_from ON merges (from_id);
CREATE TABLE identity_conflicts (
  id BIGSERIAL PRIMARY KEY,
  profile_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX identity_conflicts_profile ON identity_conflicts (profile_id);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  traits JSONB NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE memberships (
  account_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  role TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, profile_id)
);
CREATE INDEX memberships_profile ON memberships (profile_id);
CREATE TABLE consent_history (
  id BIGSERIAL PRIMARY KEY,
  profile_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  message_id TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX consent_history_profile ON consent_history (profile_id, at);
CREATE TABLE plan_violations (
  event TEXT NOT NULL,
  property TEXT NOT NULL,
  rule TEXT NOT NULL,
  count BIGINT NOT NULL,
  blocked BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  last_message_id TEXT NOT NULL,
  last_detail TEXT NOT NULL,
  PRIMARY KEY (event, property, rule)
);
CREATE TABLE documents (
  kind TEXT NOT NULL,
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  author TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, version)
);
CREATE TABLE config_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch BIGINT NOT NULL
);
INSERT INTO config_epoch (id, epoch) VALUES (1, 0);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  progress TEXT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
`,
  },
  {
    id: 'core-002',
    name: 'a time per account trait',
    sql: `
-- The time each top-level account trait was set, { key: ms }, so group calls merge per key as
-- identify merges profile traits; the traits stored before take the row's update time.
ALTER TABLE accounts ADD COLUMN traits_at JSONB NOT NULL DEFAULT '{}'::jsonb;
UPDATE accounts SET traits_at = coalesce((SELECT jsonb_object_agg(k, accounts.updated_at) FROM jsonb_object_keys(accounts.traits) AS k), '{}'::jsonb);
`,
  },
  {
    id: 'core-003',
    name: 'one identity conflict row per profile, kind, value and reason, with a count',
    sql: `
-- A shared device hit the same conflict with every event of its second user, one row each, without
-- bound. The rows of one (profile, kind, value, reason) fold into the newest (its id, time and
-- message), with how many there were and the earliest time; new ones are counted into it (an
-- upsert on the unique index, which also serves the per-profile read).
ALTER TABLE identity_conflicts ADD COLUMN count BIGINT NOT NULL DEFAULT 1, ADD COLUMN first_at BIGINT;
UPDATE identity_conflicts SET count = g.n, first_at = g.t0 FROM (
  SELECT id, count(*) OVER k AS n, min(at) OVER k AS t0 FROM identity_conflicts
  WINDOW k AS (PARTITION BY profile_id, kind, value, reason)
) AS g WHERE g.id = identity_conflicts.id;
DELETE FROM identity_conflicts WHERE id IN (
  SELECT id FROM (
    SELECT id, row_number() OVER (PARTITION BY profile_id, kind, value, reason ORDER BY at DESC, id DESC) AS nth FROM identity_conflicts
  ) AS r WHERE r.nth > 1
);
ALTER TABLE identity_conflicts ALTER COLUMN count DROP DEFAULT, ALTER COLUMN first_at SET NOT NULL;
ALTER TABLE identity_conflicts RENAME COLUMN at TO last_at;
ALTER TABLE identity_conflicts RENAME COLUMN message_id TO last_message_id;
DROP INDEX identity_conflicts_profile;
CREATE UNIQUE INDEX identity_conflicts_key ON identity_conflicts (profile_id, kind, value, reason);
`,
  },
  {
    id: 'core-004',
    name: 'the ids of blocked messages whose violations were counted',
    sql: `
-- A blocked message is not stored, so the events' dedupe cannot tell its retry from a new message:
-- its id is kept here, in the transaction that counts its violations, so that a retry reaching any
-- process (or this one after a restart) is not counted again. The newest are kept (seq), the
-- oldest deleted as new ones come (BLOCKED_WINDOW, src/collect/blocked-ids.ts).
CREATE TABLE blocked_messages (
  seq BIGSERIAL PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  at BIGINT NOT NULL
);
`,
  },
  {
    id: 'core-005',
    name: "a profile's events by event time",
    sql: `
-- A profile's recent events are its newest by event time (src/store/postgres/profiles.ts
-- recentEvents): with only (profile_id, seq) every read sorted all of the profile's events, a
-- profile with 100,000 of them sorting 100,000 rows to answer 20. The events of a profile are read
-- by nothing else in seq order (a merge repoints them by profile_id alone), so one index serves both.
CREATE INDEX events_profile_time ON events (profile_id, ts, seq);
DROP INDEX events_profile;
`,
  },
];
