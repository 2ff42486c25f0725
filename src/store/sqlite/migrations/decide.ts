import type { Migration } from './index.js';

/** Decisions: the decision log, its choices, outcomes, flags and review holds — SQLite. */
export const decideSqlite: Migration[] = [
  {
    id: 'decide-001',
    name: 'decision log, choices, outcomes, flags, review holds',
    sql: `
-- The decision log: append-only (retention is the only delete). One row per decision with the
-- whole record as JSON (choices, explanation, fact values); decision ids are time-ordered, so
-- every index grows at its end.
CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  profile_key TEXT NOT NULL,
  placement TEXT NOT NULL,
  at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX decisions_profile ON decisions (profile_key, at);
CREATE INDEX decisions_at ON decisions (at);
-- One row per choice, so the log can be asked by action and the contact ledger rebuilt.
CREATE TABLE decision_choices (
  decision_id TEXT NOT NULL,
  rank INTEGER NOT NULL,
  kind TEXT NOT NULL,
  action TEXT,
  channel TEXT NOT NULL,
  placement TEXT NOT NULL,
  profile_key TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (decision_id, rank)
) WITHOUT ROWID;
CREATE INDEX decision_choices_action ON decision_choices (action, at);
CREATE INDEX decision_choices_at ON decision_choices (at);
CREATE TABLE decision_outcomes (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  decision_id TEXT NOT NULL DEFAULT '',
  profile_key TEXT NOT NULL,
  action TEXT,
  type TEXT NOT NULL,
  value REAL,
  credit REAL NOT NULL,
  reward REAL NOT NULL,
  success INTEGER NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE UNIQUE INDEX decision_outcomes_key ON decision_outcomes (id, decision_id);
CREATE INDEX decision_outcomes_decision ON decision_outcomes (decision_id);
CREATE INDEX decision_outcomes_at ON decision_outcomes (at);
CREATE TABLE decision_flags (
  id TEXT PRIMARY KEY,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  name TEXT NOT NULL,
  note TEXT NOT NULL,
  until INTEGER,
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  cleared_at INTEGER,
  cleared_by TEXT
);
CREATE INDEX decision_flags_target ON decision_flags (target_kind, target_id);
CREATE TABLE decision_holds (
  id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  profile_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  placement TEXT NOT NULL,
  action TEXT NOT NULL,
  variant TEXT,
  queue TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER,
  reviewer TEXT,
  note TEXT,
  delivered_in TEXT
);
CREATE INDEX decision_holds_status ON decision_holds (status, created_at);
CREATE INDEX decision_holds_profile ON decision_holds (profile_key);
`,
  },
  {
    id: 'decide-002',
    name: 'decision bodies stored compressed; ladder group columns',
    sql: `
-- From here on a body is a BLOB (format byte + deflated JSON, store/sqlite/decision-body.ts);
-- older rows keep their TEXT. The ladder's group keys move out of the body into columns, so the
-- group counts no longer parse every body.
ALTER TABLE decisions ADD COLUMN segment TEXT;
ALTER TABLE decisions ADD COLUMN micro_segment INTEGER;
ALTER TABLE decisions ADD COLUMN micro_segment_model TEXT;
UPDATE decisions SET segment = json_extract(body, '$.segment'), micro_segment = json_extract(body, '$.microSegment'),
  micro_segment_model = json_extract(body, '$.microSegmentModel')
  WHERE json_extract(body, '$.segment') IS NOT NULL OR json_extract(body, '$.microSegment') IS NOT NULL;
`,
  },
  {
    id: 'decide-003',
    name: 'the estimates\' counts as a snapshot with a watermark',
    sql: `
-- Trials and successes per (action, subject) and per (action, ladder group), folded from the log a
-- step at a time; the watermark is the last decision and outcome seq the snapshot includes. A start
-- reads the snapshot and aggregates only the rows after it (docs/adr/0005-decision-counts-snapshot.md).
-- A group's key columns hold '' and -1 for "none".
CREATE TABLE decision_counts (
  action TEXT NOT NULL,
  profile_key TEXT NOT NULL,
  trials INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  PRIMARY KEY (action, profile_key)
) WITHOUT ROWID;
CREATE TABLE decision_group_counts (
  action TEXT NOT NULL,
  segment TEXT NOT NULL,
  micro_segment INTEGER NOT NULL,
  micro_segment_model TEXT NOT NULL,
  trials INTEGER NOT NULL,
  successes INTEGER NOT NULL,
  PRIMARY KEY (action, segment, micro_segment, micro_segment_model)
) WITHOUT ROWID;
CREATE TABLE decision_count_marks (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  decisions_seq INTEGER NOT NULL,
  outcomes_seq INTEGER NOT NULL,
  folded_at INTEGER NOT NULL
);
INSERT INTO decision_count_marks (id, decisions_seq, outcomes_seq, folded_at) VALUES (1, 0, 0, 0);
`,
  },
  {
    id: 'decide-004',
    name: 'channel volumes per minute in the counts\' snapshot',
    sql: `
-- Action choices per minute, channel and action, folded with the estimates' counts under the same
-- watermark: a start's global budgets read a day's volumes from here and the log only after the
-- watermark and at the window's two partial minutes, not every choice of the window. Filled from
-- what the watermark already covers.
CREATE TABLE decision_volumes (
  minute INTEGER NOT NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (minute, channel, action)
) WITHOUT ROWID;
INSERT INTO decision_volumes (minute, channel, action, n)
  SELECT c.at / 60000, c.channel, c.action, count(*) FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
  WHERE d.seq <= (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action' GROUP BY 1, 2, 3;
`,
  },
  {
    id: 'decide-005',
    name: 'one success per decision\'s action',
    sql: `
-- A decision's action has one success, its first goal outcome. The recorder checks before it
-- writes (src/decide/outcomes/recorder.ts), but two processes recording conversions of one decision
-- at once could both read "none yet" and both store a success: the estimate then counted two
-- successes for one trial. This unique index on the successes makes the database the judge: the
-- store writes a conversion that loses to it as not-a-success (decisions.ts, addOutcomes).
-- Successes stored twice before it would fail the index: of each decision's action the earliest
-- (by time, then seq) stays the success and the others are set to 0; the estimates' snapshot gives
-- back the successes it had already folded from those.
CREATE TEMP TABLE demoted AS
  SELECT o.seq, o.decision_id, o.action, o.profile_key FROM decision_outcomes o
  WHERE o.success = 1 AND o.decision_id <> '' AND EXISTS (
    SELECT 1 FROM decision_outcomes e WHERE e.success = 1 AND e.decision_id = o.decision_id AND e.action = o.action AND (e.at, e.seq) < (o.at, o.seq));
UPDATE decision_counts AS c SET successes = c.successes - x.n FROM (
    SELECT action, profile_key, count(*) AS n FROM demoted WHERE seq <= (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) GROUP BY 1, 2
  ) AS x WHERE c.action = x.action AND c.profile_key = x.profile_key;
UPDATE decision_group_counts AS g SET successes = g.successes - x.n FROM (
    SELECT o.action, coalesce(d.segment, '') AS segment, coalesce(d.micro_segment, -1) AS micro_segment, coalesce(d.micro_segment_model, '') AS micro_segment_model, count(*) AS n
    FROM demoted o JOIN decisions d ON d.id = o.decision_id
    WHERE o.seq <= (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) AND (d.segment IS NOT NULL OR d.micro_segment IS NOT NULL) GROUP BY 1, 2, 3, 4
  ) AS x WHERE g.action = x.action AND g.segment = x.segment AND g.micro_segment = x.micro_segment AND g.micro_segment_model = x.micro_segment_model;
UPDATE decision_outcomes SET success = 0 WHERE seq IN (SELECT seq FROM demoted);
DROP TABLE demoted;
CREATE UNIQUE INDEX decision_outcomes_one_success ON decision_outcomes (decision_id, action) WHERE success = 1 AND decision_id <> '';
`,
  },
  {
    id: 'decide-006',
    name: 'the item an outcome names',
    sql: `
-- A recommendation answers a list of items; an outcome may name the one clicked or bought
-- (POST /v1/outcomes \`item\`, checked against the decision's items). Null for every other outcome,
-- and for those stored before.
ALTER TABLE decision_outcomes ADD COLUMN item TEXT;
`,
  },
  {
    id: 'decide-007',
    name: 'the content a review is of',
    sql: `
-- A fingerprint of the content a review was opened for (src/decide/stages/approved-content.ts): an
-- approval delivers only that content, not an edit made under the same action and variant ids.
-- Null for the reviews opened before, which are checked by their variant alone.
ALTER TABLE decision_holds ADD COLUMN content_hash TEXT;
`,
  },
  {
    id: 'decide-008',
    name: 'an outcome credited to several actions of a decision',
    sql: `
-- One outcome may be credited to several actions of one decision: under the \`even\` attribution
-- model a conversion after a decision that chose two actions is half each one's, a row each. The
-- key (id, decision_id) kept the first row and dropped the others while the API answered them as
-- recorded (until 2026-12-05): it is now (id, decision_id, action), an absent action counting as
-- one value so an outcome of a decision without an action is still stored once. The rows dropped
-- before cannot be recovered: they were never stored.
DROP INDEX decision_outcomes_key;
CREATE UNIQUE INDEX decision_outcomes_key ON decision_outcomes (id, decision_id, (coalesce(action, '')));
`,
  },
  {
    id: 'decide-009',
    name: 'the messageId a flag was added with',
    sql: `
-- POST /v1/flags takes a \`messageId\`, as POST /v1/outcomes does: a client whose connection
-- dropped after the flag was stored sends the request again with it, and is answered the first
-- flag rather than given a second one (until 2026-12-06 each retry added another flag, each needing
-- its own DELETE). The unique index makes the database the judge between processes, and keeps the
-- id across restarts; \`request_hash\` is the fingerprint of the request that added the flag, so the
-- same messageId with another body is refused. Both are null for flags added without one (all
-- flags before, and declared ones).
ALTER TABLE decision_flags ADD COLUMN message_id TEXT;
ALTER TABLE decision_flags ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX decision_flags_message ON decision_flags (message_id);
`,
  },
  {
    id: 'decide-010',
    name: 'the newer review a review was superseded by',
    sql: `
-- Decisions follow a person's newest review of an action (src/decide/stages/human-territory.ts):
-- a decision that opens a review, or delivers an approved one, marks every older review of the same
-- action among the person's (under the keys merged into them too) superseded by it, and a review so
-- marked is never live again — a window lengthened since, or a merge, brought such a review back
-- beside its successor until 2026-12-06 (an action delivered twice, an old rejection overruling a
-- newer approval). Null for the reviews no newer one followed, and for those before (the store also
-- reads a review as superseded by the newest later review of the same profile key and action).
ALTER TABLE decision_holds ADD COLUMN superseded_by TEXT;
CREATE INDEX decision_holds_person_action ON decision_holds (profile_key, action, created_at, id);
`,
  },
  {
    id: 'decide-011',
    name: 'action choices per hour and ladder group in the counts\' snapshot',
    sql: `
-- Action choices per hour of decision, action and ladder group at decision time ('' and -1 for
-- none), folded with the estimates' counts under the same watermark: a start reads the choices whose
-- attribution windows may still be open from here, an hour at a time, and the log only after the
-- watermark (docs/adr/0007-open-attribution-windows.md). The fold keeps the last 90 days. Filled from
-- what the watermark already covers, for those 90 days.
CREATE TABLE decision_open_hours (
  hour INTEGER NOT NULL,
  action TEXT NOT NULL,
  segment TEXT NOT NULL,
  micro_segment INTEGER NOT NULL,
  micro_segment_model TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (hour, action, segment, micro_segment, micro_segment_model)
) WITHOUT ROWID;
INSERT INTO decision_open_hours (hour, action, segment, micro_segment, micro_segment_model, n)
  SELECT c.at / 3600000, c.action, coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, ''), count(*)
  FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
  WHERE d.seq <= (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action'
    AND d.at >= (CAST(strftime('%s', 'now') AS INTEGER) - 90 * 86400) * 1000 GROUP BY 1, 2, 3, 4, 5;
`,
  },
  {
    id: 'decide-012',
    name: 'when the counts\' snapshot rows last changed',
    sql: `
-- When each snapshot row last changed: its newest action choice or credited success (ms), so an
-- estimate says when its evidence last changed after a restart as before it. Filled from the log
-- rows the watermark already covers; NULL where retention has removed them all.
ALTER TABLE decision_counts ADD COLUMN changed_at INTEGER;
ALTER TABLE decision_group_counts ADD COLUMN changed_at INTEGER;
UPDATE decision_counts AS k SET changed_at = x.at FROM (
    SELECT action, profile_key, max(at) AS at FROM (
      SELECT c.action, c.profile_key, c.at FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
        WHERE d.seq <= (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action'
      UNION ALL SELECT action, profile_key, at FROM decision_outcomes
        WHERE seq <= (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) AND success = 1 AND action IS NOT NULL
    ) GROUP BY 1, 2
  ) AS x WHERE k.action = x.action AND k.profile_key = x.profile_key;
UPDATE decision_group_counts AS g SET changed_at = x.at FROM (
    SELECT action, segment, micro_segment, micro_segment_model, max(at) AS at FROM (
      SELECT c.action, coalesce(d.segment, '') AS segment, coalesce(d.micro_segment, -1) AS micro_segment, coalesce(d.micro_segment_model, '') AS micro_segment_model, c.at
        FROM decisions d CROSS JOIN decision_choices c ON c.decision_id = d.id
        WHERE d.seq <= (SELECT decisions_seq FROM decision_count_marks WHERE id = 1) AND c.kind = 'action' AND (d.segment IS NOT NULL OR d.micro_segment IS NOT NULL)
      UNION ALL SELECT o.action, coalesce(d.segment, ''), coalesce(d.micro_segment, -1), coalesce(d.micro_segment_model, ''), o.at
        FROM decision_outcomes o CROSS JOIN decisions d ON d.id = o.decision_id
        WHERE o.seq <= (SELECT outcomes_seq FROM decision_count_marks WHERE id = 1) AND o.success = 1 AND o.action IS NOT NULL AND (d.segment IS NOT NULL OR d.micro_segment IS NOT NULL)
    ) GROUP BY 1, 2, 3, 4
  ) AS x WHERE g.action = x.action AND g.segment = x.segment AND g.micro_segment = x.micro_segment AND g.micro_segment_model = x.micro_segment_model;
`,
  },
  {
    id: 'decide-013',
    name: 'when an outcome was recorded',
    sql: `
-- When Tact recorded each outcome (ms), beside \`at\`, when it happened: a report sent late (an
-- offline conversion uploaded days on) is dated long before it changed the estimates, and an
-- estimate's \`updatedAt\` is when its evidence last changed — the counts' dates take it. NULL for
-- the outcomes stored before, which are read as recorded at \`at\` (as they were dated until now).
ALTER TABLE decision_outcomes ADD COLUMN recorded_at INTEGER;
`,
  },
];
