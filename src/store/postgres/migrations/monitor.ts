import type { Migration } from '../../sqlite/migrations/index.js';

/** Monitors: the monitor state (one versioned document) and the alerts with their deliveries — PostgreSQL. */
export const monitorPostgres: Migration[] = [
  {
    id: 'monitor-001',
    name: 'monitor state, alerts and webhook deliveries',
    sql: `
-- The streaming counters and alert tracks, one JSON document; version guards concurrent steps.
CREATE TABLE monitor_state (
  id TEXT PRIMARY KEY,
  version BIGINT NOT NULL,
  state TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Alerts: the fixed part as JSON, what changes (status, acknowledgement, delivery) in columns.
CREATE TABLE monitor_alerts (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  action TEXT NOT NULL,
  placement TEXT NOT NULL,
  segment TEXT NOT NULL,
  metric TEXT NOT NULL,
  raised_at BIGINT NOT NULL,
  resolved_at BIGINT,
  acked_at BIGINT,
  acked_by TEXT,
  delivery_state TEXT NOT NULL,
  delivery_attempts BIGINT NOT NULL,
  next_attempt_at BIGINT,
  last_error TEXT,
  delivered_at BIGINT,
  body TEXT NOT NULL
);
CREATE INDEX monitor_alerts_raised ON monitor_alerts (raised_at);
CREATE INDEX monitor_alerts_due ON monitor_alerts (delivery_state, next_attempt_at);
`,
  },
  {
    id: 'monitor-002',
    name: 'monitor counters as rows',
    sql: `
-- One row per key and time bucket: a step writes the few buckets it changed. monitor_state.state
-- now holds only the alert tracks (series in an older document are dropped: their baselines rebuild).
CREATE TABLE monitor_buckets (
  key_id TEXT NOT NULL,
  start BIGINT NOT NULL,
  action TEXT NOT NULL,
  placement TEXT NOT NULL,
  segment TEXT NOT NULL,
  exposures BIGINT NOT NULL,
  responses BIGINT NOT NULL,
  negatives BIGINT NOT NULL,
  predicted DOUBLE PRECISION NOT NULL,
  predicted_sq DOUBLE PRECISION NOT NULL,
  predicted_exposures BIGINT NOT NULL,
  PRIMARY KEY (key_id, start)
);
`,
  },
  {
    id: 'monitor-003',
    name: 'why an alert was closed',
    sql: `
-- Set when an alert is closed without recovering (its metric, or the monitors, removed from the configuration).
ALTER TABLE monitor_alerts ADD COLUMN resolved_reason TEXT;
`,
  },
  {
    id: 'monitor-004',
    name: 'resolution notices and reopened alerts',
    sql: `
-- The webhook delivery of an alert's resolution (NULL while it is open), and its reopenings: a relapse
-- within the cool-down opens the alert again, showing what the relapse saw (relapse, JSON).
ALTER TABLE monitor_alerts ADD COLUMN resolved_delivery_state TEXT;
ALTER TABLE monitor_alerts ADD COLUMN resolved_delivery_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE monitor_alerts ADD COLUMN resolved_next_attempt_at BIGINT;
ALTER TABLE monitor_alerts ADD COLUMN resolved_last_error TEXT;
ALTER TABLE monitor_alerts ADD COLUMN resolved_delivered_at BIGINT;
ALTER TABLE monitor_alerts ADD COLUMN reopened_at BIGINT;
ALTER TABLE monitor_alerts ADD COLUMN reopen_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE monitor_alerts ADD COLUMN relapse TEXT;
-- Alerts resolved before: their receiver was never told, and is not told now.
UPDATE monitor_alerts SET resolved_delivery_state = 'none' WHERE status = 'resolved';
CREATE INDEX monitor_alerts_resolution_due ON monitor_alerts (resolved_delivery_state, resolved_next_attempt_at);
`,
  },
  {
    id: 'monitor-005',
    name: 'what an alert showed when it recovered',
    sql: `
-- The recovery's own figures (JSON: at, observed, message), beside the opening's observed and message
-- in the body; NULL while open, when closed without recovering, and for alerts resolved before.
ALTER TABLE monitor_alerts ADD COLUMN resolution TEXT;
`,
  },
];
