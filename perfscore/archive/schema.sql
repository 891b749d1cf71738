-- The perfscore archive (履职档案), schema version 1. See docs/archive.md.
-- One row of `years` per (unit, year) imported; every other table is keyed by unit and year,
-- so that several units (单位) can share one archive and a year can be replaced as a whole.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The term (届) each unit's archive holds, copied from the rules' `term:`.
CREATE TABLE terms (
    unit       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year  INTEGER NOT NULL
);

CREATE TABLE years (
    unit              TEXT NOT NULL,
    year              INTEGER NOT NULL,
    term              TEXT NOT NULL,
    imported_at       TEXT NOT NULL,   -- UTC, ISO 8601
    source_name       TEXT NOT NULL,   -- the workbook's file name
    input_sha256      TEXT,            -- the workbook's SHA-256 (NULL when not given to archive add)
    result_name       TEXT NOT NULL,   -- the result file read by archive add ('' from assess --archive)
    rules_name        TEXT NOT NULL,
    rules_sha256      TEXT NOT NULL,
    rules_text        TEXT NOT NULL,   -- the whole rules file, as written
    scheme            TEXT NOT NULL,
    checklist_name    TEXT NOT NULL,
    perfscore_version TEXT NOT NULL,
    members           INTEGER NOT NULL,
    ledger_lines      INTEGER NOT NULL,
    PRIMARY KEY (unit, year)
);

-- One row per member per year: who they were that year and their result.
CREATE TABLE members (
    unit              TEXT NOT NULL,
    year              INTEGER NOT NULL,
    member_id         TEXT NOT NULL,
    name              TEXT NOT NULL,
    sector            TEXT NOT NULL,   -- 界别
    committee         TEXT NOT NULL,   -- 专委会
    study_group       TEXT NOT NULL,
    work_group        TEXT NOT NULL,
    standing          INTEGER NOT NULL, -- 常委: 1 or 0
    term_start        TEXT,            -- 任职起始 (ISO date) when the roster gave one
    term_end          TEXT,
    total             REAL NOT NULL,
    grade             TEXT NOT NULL,
    grade_note        TEXT NOT NULL,
    rank              INTEGER NOT NULL,
    sector_rank       INTEGER,
    committee_rank    INTEGER,
    checklist_done    INTEGER NOT NULL,
    checklist_total   INTEGER NOT NULL,
    checklist_missing TEXT NOT NULL,
    consequences      TEXT NOT NULL,   -- 处理提示 joined by 、
    base              REAL NOT NULL,
    checklist_bonus   REAL NOT NULL,
    total_adjust      REAL NOT NULL,
    subtotals         TEXT NOT NULL,   -- JSON object: category id -> the category's points
    checklist_items   TEXT NOT NULL,   -- JSON object: each checklist item done -> the cell of the record that met it
    PRIMARY KEY (unit, year, member_id)
) WITHOUT ROWID;

-- The categories of that year's rules, in the rules' order (members.subtotals holds the points).
CREATE TABLE categories (
    unit     TEXT NOT NULL,
    year     INTEGER NOT NULL,
    category TEXT NOT NULL,
    name     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (unit, year, category)
);

-- The scoring items of that year's rules: what a ledger line's rule_id means.
CREATE TABLE rule_items (
    unit          TEXT NOT NULL,
    year          INTEGER NOT NULL,
    rule_id       TEXT NOT NULL,
    rule_name     TEXT NOT NULL,
    category      TEXT NOT NULL,
    category_name TEXT NOT NULL,
    kind          TEXT NOT NULL,  -- record kind (proposal, information, adoption, report, meeting, activity, duty) or '' for base, caps …
    PRIMARY KEY (unit, year, rule_id)
);

-- The whole ledger (积分明细): every line with its source cell. A member's total that year is
-- the sum of their lines' points. Kept in (unit, year, member) order: a year's import appends,
-- and one member's lines of a year are neighbours.
CREATE TABLE ledger (
    unit      TEXT NOT NULL,
    year      INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    line      INTEGER NOT NULL,  -- the line's place in that year's ledger (ranking order)
    rule_id   TEXT NOT NULL,
    points    REAL NOT NULL,
    date      TEXT,              -- ISO date, NULL for lines not from a record
    source    TEXT NOT NULL,     -- sheet!cell, '' for lines not from a sheet
    item_id   TEXT NOT NULL,
    title     TEXT NOT NULL,
    note      TEXT NOT NULL,
    PRIMARY KEY (unit, year, member_id, line)
) WITHOUT ROWID;

-- Award shortlists: the winners of each award.
CREATE TABLE awards (
    unit       TEXT NOT NULL,
    year       INTEGER NOT NULL,
    award_id   TEXT NOT NULL,
    award_name TEXT NOT NULL,
    pool       TEXT NOT NULL,  -- members, proposals or information
    place      INTEGER NOT NULL,
    key        TEXT NOT NULL,  -- the member id, or the proposal's / information item's id
    label      TEXT NOT NULL,  -- the member's name, or the item's title
    score      REAL NOT NULL,
    note       TEXT NOT NULL,
    PRIMARY KEY (unit, year, award_id, key)
);
CREATE INDEX awards_by_key ON awards (unit, key);

-- A year replaced with --replace: when, and which files before and after.
CREATE TABLE replacements (
    id               INTEGER PRIMARY KEY,
    unit             TEXT NOT NULL,
    year             INTEGER NOT NULL,
    replaced_at      TEXT NOT NULL,
    old_imported_at  TEXT NOT NULL,
    old_source_name  TEXT NOT NULL,
    old_input_sha256 TEXT,
    old_rules_sha256 TEXT NOT NULL,
    new_source_name  TEXT NOT NULL,
    new_input_sha256 TEXT,
    new_rules_sha256 TEXT NOT NULL
);
