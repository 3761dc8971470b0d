/**
 * Numbered schema migrations, applied in order under `PRAGMA user_version`.
 *
 * Never edit a released migration: add a new one. Projection tables (everything but `events`) can be
 * rebuilt from the journal at any time (`baseline journal rebuild`).
 */

/** One schema step. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first; the last one's version is the schema this build writes. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'event journal, devices, app sessions, journal verifications',
    sql: `
      CREATE TABLE events (
        id      TEXT    NOT NULL UNIQUE,
        device  TEXT    NOT NULL,
        seq     INTEGER NOT NULL,
        prev    TEXT    NOT NULL,
        type    TEXT    NOT NULL,
        payload TEXT    NOT NULL,
        actor   TEXT    NOT NULL,
        at      TEXT    NOT NULL,
        hash    TEXT    NOT NULL,
        sig     TEXT    NOT NULL,
        PRIMARY KEY (device, seq)
      );
      CREATE INDEX events_type ON events (type);
      -- The journal is append-only: corrections are new events. Verification still catches edits made
      -- by a client that drops these triggers.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'journal events are append-only: record a correction as a new event'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'journal events are append-only: they are never deleted'); END;

      CREATE TABLE devices (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        key_protection TEXT NOT NULL,
        created_at     TEXT NOT NULL
      );
      CREATE TABLE app_sessions (
        event_id    TEXT PRIMARY KEY,
        device      TEXT NOT NULL REFERENCES devices (id),
        seq         INTEGER NOT NULL,
        started_at  TEXT NOT NULL,
        transport   TEXT NOT NULL,
        app_version TEXT NOT NULL,
        os_user     TEXT NOT NULL,
        host        TEXT NOT NULL
      );
      CREATE TABLE journal_verifications (
        event_id       TEXT PRIMARY KEY,
        device         TEXT NOT NULL REFERENCES devices (id),
        at             TEXT NOT NULL,
        ok             INTEGER NOT NULL,
        events_checked INTEGER NOT NULL,
        problems       INTEGER NOT NULL,
        first_problem  TEXT
      );
    `,
  },
  {
    version: 2,
    description: 'capture profiles and captures',
    sql: `
      CREATE TABLE profiles (
        sha256      TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        protocol    TEXT NOT NULL,
        tags        INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        event_id    TEXT NOT NULL
      );
      CREATE TABLE captures (
        event_id         TEXT PRIMARY KEY,
        at               TEXT NOT NULL,
        controller       TEXT NOT NULL,
        protocol         TEXT NOT NULL,
        profile_sha256   TEXT NOT NULL REFERENCES profiles (sha256),
        capture_sha256   TEXT NOT NULL,
        complete         INTEGER NOT NULL,
        tags             INTEGER NOT NULL,
        good             INTEGER NOT NULL,
        bad              INTEGER NOT NULL,
        requests         INTEGER NOT NULL,
        minimum_requests INTEGER NOT NULL,
        actor            TEXT NOT NULL
      );
      CREATE INDEX captures_controller ON captures (controller, at);
    `,
  },
  {
    version: 3,
    description: 'registered controllers; captures linked to them',
    sql: `
      CREATE TABLE controllers (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        protocol       TEXT NOT NULL,
        target         TEXT NOT NULL,
        profile_sha256 TEXT REFERENCES profiles (sha256),
        registered_at  TEXT NOT NULL,
        event_id       TEXT NOT NULL
      );
      ALTER TABLE captures ADD COLUMN controller_id TEXT;
      CREATE INDEX captures_controller_id ON captures (controller_id, at);
    `,
  },
  {
    version: 4,
    description: 'people, trusted CAs, signing failures and locks, revocations, snapshots',
    sql: `
      CREATE TABLE trusted_cas (
        fingerprint     TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        certificate_pem TEXT NOT NULL,
        source          TEXT NOT NULL,
        trusted_at      TEXT NOT NULL
      );
      CREATE TABLE people (
        fingerprint     TEXT PRIMARY KEY,
        employee_id     TEXT NOT NULL,
        name            TEXT NOT NULL,
        roles           TEXT NOT NULL,
        certificate_pem TEXT NOT NULL,
        source          TEXT NOT NULL,
        enrolled_at     TEXT NOT NULL,
        locked_until    TEXT
      );
      CREATE INDEX people_employee ON people (employee_id);
      CREATE TABLE signing_failures (
        event_id    TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        at          TEXT NOT NULL
      );
      CREATE TABLE revocations (
        fingerprint TEXT PRIMARY KEY,
        reason      TEXT NOT NULL,
        revoked_at  TEXT NOT NULL
      );
      CREATE TABLE snapshots (
        sha256             TEXT PRIMARY KEY,
        file_sha256        TEXT NOT NULL,
        controller_id      TEXT,
        controller         TEXT NOT NULL,
        complete           INTEGER NOT NULL,
        signer_fingerprint TEXT NOT NULL,
        signer             TEXT NOT NULL,
        at                 TEXT NOT NULL,
        event_id           TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'approved baselines, drift checks, unauthorized-change records',
    sql: `
      CREATE TABLE baselines (
        controller_id   TEXT NOT NULL,
        version         INTEGER NOT NULL,
        snapshot_sha256 TEXT NOT NULL,
        approved_by     TEXT NOT NULL,
        approved_at     TEXT NOT NULL,
        event_id        TEXT NOT NULL,
        PRIMARY KEY (controller_id, version)
      );
      CREATE TABLE drift_checks (
        event_id          TEXT PRIMARY KEY,
        controller_id     TEXT NOT NULL,
        at                TEXT NOT NULL,
        baseline_sha256   TEXT NOT NULL,
        capture_sha256    TEXT NOT NULL,
        drifted           INTEGER NOT NULL,
        config_differences INTEGER NOT NULL
      );
      CREATE TABLE unauthorized_changes (
        id              TEXT PRIMARY KEY,
        controller_id   TEXT NOT NULL,
        opened_at       TEXT NOT NULL,
        baseline_sha256 TEXT NOT NULL,
        capture_sha256  TEXT NOT NULL,
        differences     TEXT NOT NULL,
        closed_at       TEXT,
        closed_by       TEXT,
        explanation     TEXT
      );
    `,
  },
  {
    version: 6,
    description: 'restore decisions and their one use',
    sql: `
      CREATE TABLE restore_authorizations (
        id             TEXT PRIMARY KEY,
        controller_id  TEXT NOT NULL,
        writes_sha256  TEXT NOT NULL,
        signer         TEXT NOT NULL,
        authorized_at  TEXT NOT NULL,
        event_id       TEXT NOT NULL,
        used_event_id  TEXT,
        complete       INTEGER
      );
    `,
  },
  {
    version: 7,
    description: 'plant lines, controllers on lines, change requests',
    sql: `
      CREATE TABLE plant_lines (
        id       TEXT PRIMARY KEY,
        site_id  TEXT NOT NULL,
        name     TEXT NOT NULL,
        tier     INTEGER NOT NULL,
        event_id TEXT NOT NULL
      );
      ALTER TABLE controllers ADD COLUMN line_id TEXT;
      CREATE TABLE changes (
        id          TEXT PRIMARY KEY,
        status      TEXT NOT NULL,
        title       TEXT NOT NULL,
        class       TEXT,
        requester   TEXT NOT NULL,
        state       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 8,
    description: 'adopted policy documents',
    sql: `
      CREATE TABLE policies (
        event_id    TEXT PRIMARY KEY,
        revision    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        yaml        TEXT NOT NULL,
        source      TEXT NOT NULL,
        adopted_by  TEXT NOT NULL,
        adopted_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 9,
    description: 'controllers flagged as safety systems',
    sql: `ALTER TABLE controllers ADD COLUMN safety INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 10,
    description: 'plant sites; the people roster',
    // The sites of a plant imported before this version are read from its newest plant.imported event.
    sql: `
      CREATE TABLE plant_sites (
        id       TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        event_id TEXT NOT NULL
      );
      INSERT INTO plant_sites (id, name, event_id)
        SELECT json_extract(payload, '$.plant.site.id'), json_extract(payload, '$.plant.site.name'), id FROM events
        WHERE type = 'plant.imported' AND json_extract(payload, '$.plant.site.id') IS NOT NULL
        ORDER BY rowid DESC LIMIT 1;
      CREATE TABLE roster (
        employee_id TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        roles       TEXT NOT NULL,
        site_id     TEXT,
        active      INTEGER NOT NULL DEFAULT 1,
        event_id    TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 11,
    description: 'plant CA lockout after repeated wrong CA passwords',
    // Failed CA unlocks are kept in signing_failures under the CA's fingerprint, like a person's wrong passwords.
    sql: `ALTER TABLE trusted_cas ADD COLUMN locked_until TEXT;`,
  },
  {
    version: 12,
    description: "sync state (the server's acknowledged seq, the pull cursor): not a projection, never rebuilt",
    sql: `CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 13,
    description: 'retired controllers (off every list and picker; their history stays)',
    sql: `ALTER TABLE controllers ADD COLUMN retired_at TEXT;`,
  },
  {
    version: 14,
    description: "clock flags from the central server: the plant CA's signed statements, as pulled (not a projection, never rebuilt)",
    sql: `CREATE TABLE clock_attestations (id TEXT PRIMARY KEY, statement TEXT NOT NULL, signature TEXT NOT NULL, received_at TEXT NOT NULL);`,
  },
  {
    version: 15,
    description: "a snapshot's later signers (a second person's signature of the same document is kept, not dropped)",
    sql: `ALTER TABLE snapshots ADD COLUMN cosigners TEXT NOT NULL DEFAULT '[]';`,
  },
];

/** Schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Tables derived from the journal; rebuild empties and refills exactly these. */
export const PROJECTION_TABLES = [
  'roster',
  'plant_sites',
  'policies',
  'changes',
  'plant_lines',
  'restore_authorizations',
  'unauthorized_changes',
  'drift_checks',
  'baselines',
  'snapshots',
  'revocations',
  'signing_failures',
  'people',
  'trusted_cas',
  'captures',
  'controllers',
  'profiles',
  'journal_verifications',
  'app_sessions',
  'devices',
] as const;
