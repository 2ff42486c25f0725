import type { Migration } from './index.js';

/** Estimates, anomalies, calibration points, segment membership, model registry — SQLite. */
export const learnSqlite: Migration[] = [
  {
    id: 'learn-001',
    name: 'estimates, anomalies, calibration points, segment membership, model registry',
    sql: `
-- Inferences, kept apart from the profiles' facts: one row per (subject or group, model, key).
CREATE TABLE estimates (
  subject_id TEXT NOT NULL,
  model TEXT NOT NULL,
  key TEXT NOT NULL,
  estimate TEXT,
  state TEXT NOT NULL,
  model_version TEXT NOT NULL,
  seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (subject_id, model, key)
) WITHOUT ROWID;
CREATE INDEX estimates_model ON estimates(model, key, subject_id);
CREATE TABLE anomalies (
  subject_id TEXT NOT NULL,
  metric TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  value REAL NOT NULL,
  low REAL,
  high REAL,
  level REAL NOT NULL,
  model_version TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (subject_id, metric, seq)
);
CREATE INDEX anomalies_metric ON anomalies(metric, at);
CREATE TABLE calibration_points (
  model TEXT NOT NULL,
  key TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  alpha REAL NOT NULL,
  beta REAL NOT NULL,
  deadline INTEGER NOT NULL,
  outcome REAL,
  model_version TEXT NOT NULL,
  PRIMARY KEY (model, key, subject_id, seq)
);
CREATE INDEX calibration_points_at ON calibration_points(model, key, at);
CREATE INDEX calibration_points_subject ON calibration_points(subject_id);
CREATE TABLE segment_members (
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  since INTEGER NOT NULL,
  PRIMARY KEY (segment, profile_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_profile ON segment_members(profile_id);
CREATE TABLE segment_events (
  id INTEGER PRIMARY KEY,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX segment_events_segment ON segment_events(segment, id);
CREATE INDEX segment_events_profile ON segment_events(profile_id);
CREATE TABLE model_versions (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  trained_at INTEGER NOT NULL,
  data_from INTEGER,
  data_to INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  state TEXT NOT NULL,
  trained_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE model_live (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  since INTEGER NOT NULL
);
CREATE TABLE model_events (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  version INTEGER,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  comparison TEXT,
  previous INTEGER
);
CREATE INDEX model_events_name ON model_events(name, id);
`,
  },
  {
    id: 'learn-002',
    name: 'calibration points keep when they were recorded and the inputs of their prediction',
    sql: `
ALTER TABLE calibration_points ADD COLUMN recorded_at INTEGER;
ALTER TABLE calibration_points ADD COLUMN inputs TEXT;
CREATE INDEX calibration_points_recorded ON calibration_points(model, key, recorded_at);
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
  since INTEGER NOT NULL,
  lease_until INTEGER NOT NULL
);
`,
  },
  {
    id: 'learn-004',
    name: 'segment event ids are never reused (the events feed\'s cursor)',
    // Without AUTOINCREMENT SQLite gives a new row the largest id + 1: after the newest events are
    // erased, a new one would take an id a poller has already read past.
    sql: `
CREATE TABLE segment_events_ids (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  segment TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  version INTEGER NOT NULL,
  reason TEXT NOT NULL
);
INSERT INTO segment_events_ids (id, segment, profile_id, kind, at, seq, version, reason)
  SELECT id, segment, profile_id, kind, at, seq, version, reason FROM segment_events ORDER BY id;
DROP TABLE segment_events;
ALTER TABLE segment_events_ids RENAME TO segment_events;
CREATE INDEX segment_events_segment ON segment_events(segment, id);
CREATE INDEX segment_events_profile ON segment_events(profile_id);
`,
  },
  {
    id: 'learn-005',
    name: 'segment member counts kept as members enter and leave (GET /v1/segments reads no member rows)',
    // Kept by triggers, so every write of the membership or the events (apply, eraseSubject)
    // counts, in the same transaction; a trigger's rows leave changes() — which apply reads to
    // record only real changes — as the statement's own.
    sql: `
CREATE TABLE segment_counts (
  segment TEXT PRIMARY KEY,
  members INTEGER NOT NULL DEFAULT 0,
  entries INTEGER NOT NULL DEFAULT 0,
  exits INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO segment_counts (segment, members, entries, exits)
  SELECT segment, sum(members), sum(entries), sum(exits) FROM (
    SELECT segment, count(*) AS members, 0 AS entries, 0 AS exits FROM segment_members GROUP BY segment
    UNION ALL
    SELECT segment, 0, sum(kind = 'entry'), sum(kind = 'exit') FROM segment_events GROUP BY segment
  ) GROUP BY segment;
CREATE TRIGGER segment_members_counted AFTER INSERT ON segment_members BEGIN
  INSERT INTO segment_counts (segment, members) VALUES (NEW.segment, 1)
    ON CONFLICT (segment) DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER segment_members_uncounted AFTER DELETE ON segment_members BEGIN
  UPDATE segment_counts SET members = members - 1 WHERE segment = OLD.segment;
END;
CREATE TRIGGER segment_events_counted AFTER INSERT ON segment_events BEGIN
  INSERT INTO segment_counts (segment, entries, exits) VALUES (NEW.segment, NEW.kind = 'entry', NEW.kind = 'exit')
    ON CONFLICT (segment) DO UPDATE SET entries = entries + excluded.entries, exits = exits + excluded.exits;
END;
CREATE TRIGGER segment_events_uncounted AFTER DELETE ON segment_events BEGIN
  UPDATE segment_counts SET entries = entries - (OLD.kind = 'entry'), exits = exits - (OLD.kind = 'exit') WHERE segment = OLD.segment;
END;
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
