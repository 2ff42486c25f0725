import type { Migration } from '../../sqlite/migrations/index.js';

/** Estimates, anomalies, calibration points, segment membership, model registry — PostgreSQL. */
export const learnPostgres: Migration[] = [
  {
    id: 'learn-001',
    name: 'estimates, anomalies, calibration points, segment membership, model registry',
    sql: `
CREATE TABLE estimates (
  subject_id TEXT NOT NULL,
  model TEXT NOT NULL,
  key TEXT NOT NULL,
  estimate TEXT,
  state TEXT NOT NULL,
  model_version TEXT NOT NULL,
  seq BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (subject_id, model, key)
);
CREATE INDEX estimates_model ON estimates (model, key, subject_id);
CREATE TABLE anomalies (
  subject_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  low DOUBLE PRECISION,
  high DOUBLE PRECISION,
  level DOUBLE PRECISION NOT NULL,
  model_version TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (subject_id, metric, seq)
);
CREATE INDEX anomalies_metric ON anomalies (metric, at);
CREATE TABLE calibration_points (
  model TEXT NOT NULL,
  key TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  alpha DOUBLE PRECISION NOT NULL,
  beta DOUBLE PRECISION NOT NULL,
  deadline BIGINT NOT NULL,
  outcome DOUBLE PRECISION,
  model_version TEXT NOT NULL,
  PRIMARY KEY (model, key, subject_id, seq)
);
CREATE INDEX calibration_points_at ON calibration_points (model, key, at);
CREATE INDEX calibration_points_subject ON calibration_points (subject_id);
CREATE TABLE segment_members (
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  since BIGINT NOT NULL,
  PRIMARY KEY (segment, profile_id)
);
CREATE INDEX segment_members_profile ON segment_members (profile_id);
CREATE TABLE segment_events (
  id BIGSERIAL PRIMARY KEY,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  version INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX segment_events_segment ON segment_events (segment, id);
CREATE INDEX segment_events_profile ON segment_events (profile_id);
CREATE TABLE model_versions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  trained_at BIGINT NOT NULL,
  data_from BIGINT,
  data_to BIGINT NOT NULL,
  metrics TEXT NOT NULL,
  state TEXT NOT NULL,
  trained_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE model_live (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  since BIGINT NOT NULL
);
CREATE TABLE model_events (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  comparison TEXT,
  previous INTEGER
);
CREATE INDEX model_events_name ON model_events (name, id);
`,
  },
  {
    id: 'learn-002',
    name: 'calibration points keep when they were recorded and the inputs of their prediction',
    sql: `
ALTER TABLE calibration_points ADD COLUMN recorded_at BIGINT;
ALTER TABLE calibration_points ADD COLUMN inputs TEXT;
CREATE INDEX calibration_points_recorded ON calibration_points (model, key, recorded_at);
`,
  },
  {
    id: 'learn-003',
    name: 'training leases: one process trains a model at a time',
    sql: `
CREATE TABLE model_training (
  name TEXT PRIMARY KEY,
  token TEXT NOT NULL,
  holder TEXT NOT NULL,
  actor TEXT NOT NULL,
  since BIGINT NOT NULL,
  lease_until BIGINT NOT NULL
);
`,
  },
  {
    // (learn-004 is SQLite's alone: its event ids.)
    id: 'learn-005',
    name: 'segment member counts kept as members enter and leave (GET /v1/segments reads no member rows)',
    // Kept by the store's apply and eraseSubject under the segment events lock (segments.ts), not
    // by row triggers: a trigger would take a count's row lock before that lock, in whatever
    // order a batch names its segments, and two writers could deadlock.
    sql: `
CREATE TABLE segment_counts (
  segment TEXT PRIMARY KEY,
  members BIGINT NOT NULL DEFAULT 0,
  entries BIGINT NOT NULL DEFAULT 0,
  exits BIGINT NOT NULL DEFAULT 0
);
INSERT INTO segment_counts (segment, members, entries, exits)
  SELECT segment, sum(members), sum(entries), sum(exits) FROM (
    SELECT segment, count(*) AS members, 0 AS entries, 0 AS exits FROM segment_members GROUP BY segment
    UNION ALL
    SELECT segment, 0, count(*) FILTER (WHERE kind = 'entry'), count(*) FILTER (WHERE kind = 'exit') FROM segment_events GROUP BY segment
  ) x GROUP BY segment;
`,
  },
  {
    id: 'learn-006',
    name: 'calibration points found by their deadline (the reports judge closed ones, count open ones)',
    sql: `
CREATE INDEX calibration_points_deadline ON calibration_points (model, key, deadline);
`,
  },
];
