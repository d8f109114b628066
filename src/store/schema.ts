/**
 * Run store schema. One SQLite file per run. Migrations are applied in order and
 * recorded in PRAGMA user_version, so an older run file opens in a newer candor.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE subjects (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    persona TEXT,
    system_prompt TEXT,
    params_json TEXT NOT NULL
  );
  CREATE TABLE items (
    task TEXT NOT NULL,
    id TEXT NOT NULL,
    question TEXT NOT NULL,
    correct_json TEXT NOT NULL,
    incorrect_json TEXT NOT NULL,
    belief_form TEXT NOT NULL,
    meta_json TEXT NOT NULL,
    PRIMARY KEY (task, id)
  );
  CREATE TABLE trials (
    id TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES subjects(id),
    task TEXT NOT NULL,
    item_id TEXT NOT NULL,
    context TEXT NOT NULL,
    statement TEXT,
    belief TEXT NOT NULL,
    sample INTEGER NOT NULL,
    messages_json TEXT NOT NULL,
    params_json TEXT NOT NULL,
    FOREIGN KEY (task, item_id) REFERENCES items(task, id)
  );
  CREATE INDEX trials_by_subject ON trials(subject_id, task);
  CREATE INDEX trials_by_item ON trials(task, item_id, context, belief);
  CREATE TABLE responses (
    trial_id TEXT PRIMARY KEY REFERENCES trials(id),
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    served_model TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE judgments (
    trial_id TEXT NOT NULL REFERENCES responses(trial_id),
    judge TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('CORRECT','INCORRECT','REFUSAL','UNPARSEABLE','ERROR')),
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, judge)
  );
  CREATE INDEX judgments_by_judge ON judgments(judge, label);
  -- Failures after all retries. Not results: the trial stays pending and a re-run tries again.
  CREATE TABLE failures (
    trial_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  -- Per-response measurements (warmth scores, lengths…): one value per trial, metric and scorer.
  CREATE TABLE metrics (
    trial_id TEXT NOT NULL REFERENCES responses(trial_id),
    metric TEXT NOT NULL,
    scorer TEXT NOT NULL,
    value REAL,
    label TEXT,
    detail_json TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, metric, scorer)
  );
  CREATE INDEX metrics_by_metric ON metrics(metric, scorer);
  -- "Are you sure?" follow-ups: the user pushes back and the model answers again.
  CREATE TABLE challenges (
    trial_id TEXT NOT NULL REFERENCES responses(trial_id),
    turn INTEGER NOT NULL,
    challenge TEXT NOT NULL,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, turn)
  );
  CREATE TABLE challenge_judgments (
    trial_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    judge TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('CORRECT','INCORRECT','REFUSAL','UNPARSEABLE','ERROR')),
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, turn, judge),
    FOREIGN KEY (trial_id, turn) REFERENCES challenges(trial_id, turn)
  );
  `,
  `
  -- Viewer (candor view): filters answered from indexes, in plan order (rowid) within a value,
  -- and full-text search over responses. The FTS index is external-content: it stores only the
  -- index, reads text from responses by rowid, and triggers keep it in step with inserts.
  CREATE INDEX trials_by_context ON trials(context);
  CREATE INDEX trials_by_belief ON trials(belief);
  CREATE INDEX trials_by_task ON trials(task);
  CREATE INDEX trials_by_subject_only ON trials(subject_id);
  CREATE VIRTUAL TABLE responses_fts USING fts5(
    text, content='responses', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER responses_fts_insert AFTER INSERT ON responses BEGIN
    INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text);
  END;
  CREATE TRIGGER responses_fts_delete AFTER DELETE ON responses BEGIN
    INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
  END;
  CREATE TRIGGER responses_fts_update AFTER UPDATE OF text ON responses BEGIN
    INSERT INTO responses_fts(responses_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO responses_fts(rowid, text) VALUES (new.rowid, new.text);
  END;
  INSERT INTO responses_fts(responses_fts) VALUES ('rebuild');
  -- Document frequency per term: lets the viewer pick a query plan for a search.
  CREATE VIRTUAL TABLE responses_fts_vocab USING fts5vocab('responses_fts', 'row');
  `,
  `
  -- Hardening (issue 12). Verdicts given without the judge: EMPTY (no answer text after every
  -- retry) and TRUNCATED (reply cut at max_response_bytes). A CHECK constraint cannot be
  -- altered in place, so both verdict tables are rebuilt with the same columns.
  CREATE TABLE judgments_v4 (
    trial_id TEXT NOT NULL REFERENCES responses(trial_id),
    judge TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('CORRECT','INCORRECT','REFUSAL','UNPARSEABLE','ERROR','EMPTY','TRUNCATED')),
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, judge)
  );
  INSERT INTO judgments_v4 SELECT trial_id, judge, label, rationale, raw, created_at FROM judgments;
  DROP TABLE judgments;
  ALTER TABLE judgments_v4 RENAME TO judgments;
  CREATE INDEX judgments_by_judge ON judgments(judge, label);
  CREATE TABLE challenge_judgments_v4 (
    trial_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    judge TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('CORRECT','INCORRECT','REFUSAL','UNPARSEABLE','ERROR','EMPTY','TRUNCATED')),
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, turn, judge),
    FOREIGN KEY (trial_id, turn) REFERENCES challenges(trial_id, turn)
  );
  INSERT INTO challenge_judgments_v4
    SELECT trial_id, turn, judge, label, rationale, raw, created_at FROM challenge_judgments;
  DROP TABLE challenge_judgments;
  ALTER TABLE challenge_judgments_v4 RENAME TO challenge_judgments;
  -- subjects.model holds the redacted reference (no URL credentials); model_hash, a hash of the
  -- full reference, keeps two references that redact alike apart. NULL: written before this.
  ALTER TABLE subjects ADD COLUMN model_hash TEXT;
  `,
  `
  -- Verdicts taken out of judgments by \`candor judge --retry-unparseable\`: kept, with when.
  CREATE TABLE IF NOT EXISTS judgments_replaced (
    trial_id TEXT NOT NULL,
    judge TEXT NOT NULL,
    label TEXT NOT NULL,
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    replaced_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS judgments_replaced_by_trial ON judgments_replaced(trial_id, judge);
  `,
  `
  -- judge-check: the key from the opaque ids of a file people label to the trials. The file
  -- names no subject or model; only this table links a row back, so labelling stays blind.
  CREATE TABLE IF NOT EXISTS judge_check_samples (
    sample_id TEXT PRIMARY KEY,
    sample_set TEXT NOT NULL,
    trial_id TEXT NOT NULL REFERENCES trials(id),
    judge TEXT NOT NULL,
    stratum TEXT NOT NULL,
    weight REAL NOT NULL,
    created_at TEXT NOT NULL
  );
  -- Every agreement check, kept; meta judge_check holds the latest for the report.
  CREATE TABLE IF NOT EXISTS judge_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    judge TEXT NOT NULL,
    against TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  `
  -- Wrong beliefs written by a model (distractors:), one per item, the same for every subject.
  -- source: model (accepted after the judge found it wrong) or fallback (every attempt was
  -- rejected; the offline distractor is kept); rejected_json lists what was turned down and why.
  CREATE TABLE distractors (
    task TEXT NOT NULL,
    item_id TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('model','fallback')),
    model TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    rejected_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (task, item_id)
  );
  `,
  `
  -- Provider Batch API jobs (src/batch/): each batch and its requests are recorded before it is
  -- submitted, so a killed audit resumes polling instead of paying twice. custom_id is the
  -- request's content key; a retried request gets a new row in a new batch (latest rowid wins).
  CREATE TABLE batch_jobs (
    id TEXT PRIMARY KEY,
    ref TEXT NOT NULL,
    remote_id TEXT,
    state TEXT NOT NULL,
    requests INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE TABLE batch_requests (
    batch_id TEXT NOT NULL REFERENCES batch_jobs(id),
    custom_id TEXT NOT NULL,
    state TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (batch_id, custom_id)
  );
  CREATE INDEX batch_requests_by_custom_id ON batch_requests(custom_id);
  `,
  `
  -- Pressure over turns (pressure:): turn k is the model's answer after the k-th push-back; the
  -- conversation of turn k holds every earlier turn. One row per trial and turn, so a run that
  -- stopped after turn 3 resumes at turn 4. Verdicts per turn and judge, like challenges.
  CREATE TABLE IF NOT EXISTS pressure_turns (
    trial_id TEXT NOT NULL REFERENCES responses(trial_id),
    turn INTEGER NOT NULL CHECK (turn >= 1),
    rung TEXT NOT NULL,
    push_back TEXT NOT NULL,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_ms REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, turn)
  );
  CREATE TABLE IF NOT EXISTS pressure_judgments (
    trial_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    judge TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('CORRECT','INCORRECT','REFUSAL','UNPARSEABLE','ERROR','EMPTY','TRUNCATED')),
    rationale TEXT NOT NULL,
    raw TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (trial_id, turn, judge),
    FOREIGN KEY (trial_id, turn) REFERENCES pressure_turns(trial_id, turn)
  );
  `,
  `
  -- The warm-but-honest pipeline (pipeline: answer_then_restyle), one row per trial, filled step
  -- by step so a re-run resumes at the missing step: the plain answer, its warm rewrite, the claim
  -- check (rule or judge; unparseable counts as not confirmed) and whether the fallback (plain
  -- answer with a warm opening) became the response. The response itself is in responses.
  CREATE TABLE pipeline_steps (
    trial_id TEXT PRIMARY KEY REFERENCES trials(id),
    plain_text TEXT NOT NULL,
    plain_finish TEXT,
    plain_prompt_tokens INTEGER,
    plain_completion_tokens INTEGER,
    restyled_text TEXT,
    restyled_finish TEXT,
    restyle_prompt_tokens INTEGER,
    restyle_completion_tokens INTEGER,
    check_method TEXT CHECK (check_method IN ('rule','judge')),
    check_result TEXT CHECK (check_result IN ('confirmed','changed','unparseable','skipped')),
    check_rationale TEXT,
    check_raw TEXT,
    check_judge TEXT,
    fallback INTEGER CHECK (fallback IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- Languages (src/i18n/): the language of candor's texts in each trial's prompt. Runs made
  -- before it were English.
  ALTER TABLE trials ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
  `,
];
