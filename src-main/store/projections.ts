/**
 * Projections: tables derived from journal events. Each event type that changes a projection has one
 * projector here; `rebuildProjections` empties every projection table and replays the whole journal.
 */
import type Database from 'better-sqlite3';
import type { JournalEvent } from '../../src-shared/common/journal-event.ts';
import { EVENT_PAYLOADS, isEventType, type EventPayload, type EventType } from '../../src-shared/common/event-types.ts';
import { plantSitesAndLines } from '../../src-shared/common/workflow/plant-model.ts';
import { PROJECTION_TABLES } from './migrations.ts';
import { STOPPING_OPERATIONS, isExecutedStatus } from '../../src-shared/common/sync/change-conflicts.ts';

/** `local`: the event is this data directory's own (its pinned device's), not one pulled from another device. */
type Projector<T extends EventType> = (db: Database.Database, event: JournalEvent, payload: EventPayload<T>, local: boolean) => void;

function upsertRoster(db: Database.Database, entry: EventPayload<'people.roster-set'>['entry'], e: JournalEvent): void {
  db.prepare(
    `INSERT INTO roster (employee_id, name, roles, site_id, active, event_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (employee_id) DO UPDATE SET name = excluded.name, roles = excluded.roles, site_id = excluded.site_id, active = excluded.active,
              event_id = excluded.event_id, updated_at = excluded.updated_at`,
  ).run(entry.employeeId, entry.name, JSON.stringify(entry.roles), entry.site, entry.active ? 1 : 0, e.id, e.at);
}

const projectors: { [T in EventType]?: Projector<T> } = {
  'device.created': (db, e, p) => {
    db.prepare('INSERT INTO devices (id, name, public_key_pem, key_protection, created_at) VALUES (?, ?, ?, ?, ?)').run(
      e.device,
      p.name,
      p.publicKeyPem,
      p.keyProtection,
      e.at,
    );
  },
  'app.started': (db, e, p) => {
    db.prepare(
      `INSERT INTO app_sessions (event_id, device, seq, started_at, transport, app_version, os_user, host)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.id, e.device, e.seq, e.at, p.transport, p.appVersion, e.actor.id, p.host);
  },
  'journal.verified': (db, e, p) => {
    db.prepare(
      `INSERT INTO journal_verifications (event_id, device, at, ok, events_checked, problems, first_problem)
                VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(e.id, e.device, e.at, p.ok ? 1 : 0, p.eventsChecked, p.problems, p.firstProblem);
  },
  'profile.imported': (db, e, p) => {
    db.prepare('INSERT OR IGNORE INTO profiles (sha256, name, protocol, tags, imported_at, event_id) VALUES (?, ?, ?, ?, ?, ?)').run(
      p.sha256,
      p.name,
      p.protocol,
      p.tags,
      e.at,
      e.id,
    );
  },
  'controller.registered': (db, e, p) => {
    // Registering an id again updates it (a correction is a new event; the projection shows the latest).
    db.prepare(
      `INSERT INTO controllers (id, name, protocol, target, profile_sha256, registered_at, event_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, protocol = excluded.protocol, target = excluded.target,
                  profile_sha256 = excluded.profile_sha256, event_id = excluded.event_id`,
    ).run(p.id, p.name, p.target.protocol, JSON.stringify(p.target), p.profileSha256, e.at, e.id);
  },
  'capture.recorded': (db, e, p) => {
    db.prepare(
      `INSERT INTO captures (event_id, at, controller, protocol, profile_sha256, capture_sha256, complete, tags, good, bad, requests, minimum_requests, actor, controller_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.id,
      e.at,
      p.controller,
      p.protocol,
      p.profileSha256,
      p.captureSha256,
      p.complete ? 1 : 0,
      p.tags,
      p.good,
      p.bad,
      p.requests,
      p.minimumRequests,
      e.actor.name,
      p.controllerId,
    );
  },
  'ca.trusted': (db, e, p, local) => {
    // Only this laptop's own decisions make it trust a CA: another device's `ca.trusted` (even an unsigned first use)
    // is kept as that device's evidence but never widens this laptop's trust (docs/security.md).
    if (!local) return;
    db.prepare('INSERT OR IGNORE INTO trusted_cas (fingerprint, name, certificate_pem, source, trusted_at) VALUES (?, ?, ?, ?, ?)').run(
      p.fingerprint,
      p.name,
      p.certificatePem,
      p.source,
      e.at,
    );
  },
  'ca.unlock-failed': (db, e, p) => {
    db.prepare('INSERT INTO signing_failures (event_id, fingerprint, at) VALUES (?, ?, ?)').run(e.id, p.fingerprint, e.at);
  },
  'ca.locked': (db, _e, p) => {
    db.prepare('UPDATE trusted_cas SET locked_until = ? WHERE fingerprint = ?').run(p.until, p.fingerprint);
  },
  'person.enrolled': (db, e, p) => {
    db.prepare(
      `INSERT INTO people (fingerprint, employee_id, name, roles, certificate_pem, source, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (fingerprint) DO NOTHING`,
    ).run(p.fingerprint, p.employeeId, p.name, p.roles.join(','), p.certificatePem, p.source, e.at);
  },
  'person.signing-failed': (db, e, p) => {
    db.prepare('INSERT INTO signing_failures (event_id, fingerprint, at) VALUES (?, ?, ?)').run(e.id, p.fingerprint, e.at);
  },
  'person.locked': (db, _e, p) => {
    db.prepare('UPDATE people SET locked_until = ? WHERE fingerprint = ?').run(p.until, p.fingerprint);
  },
  'certificate.revoked': (db, e, p) => {
    db.prepare('INSERT OR IGNORE INTO revocations (fingerprint, reason, revoked_at) VALUES (?, ?, ?)').run(p.fingerprint, p.reason, e.at);
  },
  'snapshot.captured': (db, e, p) => {
    // The same document signed again by someone else: the later event's file holds every signature so far (the
    // snapshot service adds the new one to the stored file), so it becomes the snapshot's file and its signer joins
    // the cosigners; the first signer stays the one who captured it.
    db.prepare(
      `INSERT INTO snapshots (sha256, file_sha256, controller_id, controller, complete, signer_fingerprint, signer, at, event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sha256) DO UPDATE SET file_sha256 = excluded.file_sha256,
                  cosigners = json_insert(cosigners, '$[#]', excluded.signer)`,
    ).run(p.snapshotSha256, p.fileSha256, p.controllerId, p.controller, p.complete ? 1 : 0, p.signerFingerprint, p.signer, e.at, e.id);
  },
  'baseline.approved': (db, e, p) => {
    // The same version approved on two laptops that could not see each other (a sync conflict, flagged and kept in the
    // journal): the later approval is the current one, whatever order the events arrived in.
    db.prepare(
      `INSERT INTO baselines (controller_id, version, snapshot_sha256, approved_by, approved_at, event_id) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (controller_id, version) DO UPDATE SET snapshot_sha256 = excluded.snapshot_sha256, approved_by = excluded.approved_by,
                  approved_at = excluded.approved_at, event_id = excluded.event_id
                WHERE (excluded.approved_at, excluded.event_id) > (baselines.approved_at, baselines.event_id)`,
    ).run(p.controllerId, p.version, p.snapshotSha256, p.approval.signer.name, e.at, e.id);
  },
  'drift.checked': (db, e, p) => {
    db.prepare(
      'INSERT INTO drift_checks (event_id, controller_id, at, baseline_sha256, capture_sha256, drifted, config_differences) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(e.id, p.controllerId, e.at, p.baselineSha256, p.captureSha256, p.drifted ? 1 : 0, p.configDifferences);
  },
  'unauthorized-change.opened': (db, e, p) => {
    db.prepare(
      'INSERT INTO unauthorized_changes (id, controller_id, opened_at, baseline_sha256, capture_sha256, differences) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      p.id,
      p.controllerId,
      e.at,
      p.baselineSha256,
      p.captureSha256,
      JSON.stringify({ differences: p.differences, more: p.moreDifferences }),
    );
  },
  'unauthorized-change.closed': (db, e, p) => {
    db.prepare('UPDATE unauthorized_changes SET closed_at = ?, closed_by = ?, explanation = ? WHERE id = ?').run(
      e.at,
      p.signature.signer.name,
      p.explanation,
      p.id,
    );
  },
  'restore.authorized': (db, e, p) => {
    db.prepare(
      'INSERT INTO restore_authorizations (id, controller_id, writes_sha256, signer, authorized_at, event_id) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(p.id, p.controllerId, p.writesSha256, p.signature.signer.name, e.at, e.id);
  },
  'restore.started': (db, e, p) => {
    db.prepare('UPDATE restore_authorizations SET used_event_id = ? WHERE id = ?').run(e.id, p.decisionId);
  },
  'restore.executed': (db, e, p) => {
    db.prepare('UPDATE restore_authorizations SET used_event_id = ?, complete = ? WHERE id = ?').run(
      e.id,
      p.complete ? 1 : 0,
      p.decisionId,
    );
  },
  'plant.imported': (db, e, p) => {
    const { sites, lines } = plantSitesAndLines(p.plant);
    db.prepare('DELETE FROM plant_lines').run();
    db.prepare('DELETE FROM plant_sites').run();
    const site = db.prepare('INSERT INTO plant_sites (id, name, event_id) VALUES (?, ?, ?)');
    for (const s of sites) site.run(s.id, s.name, e.id);
    const line = db.prepare('INSERT INTO plant_lines (id, site_id, name, tier, event_id) VALUES (?, ?, ?, ?, ?)');
    for (const l of lines) line.run(l.id, l.site, l.name, l.tier, e.id);
  },
  'plant.site-set': (db, e, p) => {
    db.prepare(
      'INSERT INTO plant_sites (id, name, event_id) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, event_id = excluded.event_id',
    ).run(p.site.id, p.site.name, e.id);
  },
  'plant.line-set': (db, e, p) => {
    db.prepare(
      `INSERT INTO plant_lines (id, site_id, name, tier, event_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name, tier = excluded.tier, event_id = excluded.event_id`,
    ).run(p.line.id, p.line.site, p.line.name, p.line.tier, e.id);
  },
  'people.roster-imported': (db, e, p) => {
    for (const entry of p.entries) upsertRoster(db, entry, e);
  },
  'people.roster-set': (db, e, p) => {
    upsertRoster(db, p.entry, e);
  },
  'plant.line-removed': (db, _e, p) => {
    db.prepare('DELETE FROM plant_lines WHERE id = ?').run(p.lineId);
  },
  'controller.line-assigned': (db, _e, p) => {
    db.prepare('UPDATE controllers SET line_id = ? WHERE id = ?').run(p.lineId, p.controllerId);
  },
  'controller.safety-set': (db, _e, p) => {
    db.prepare('UPDATE controllers SET safety = ? WHERE id = ?').run(p.safety ? 1 : 0, p.controllerId);
  },
  'controller.edited': (db, e, p) => {
    db.prepare('UPDATE controllers SET name = ?, protocol = ?, target = ?, profile_sha256 = ?, event_id = ? WHERE id = ?').run(
      p.next.name,
      p.next.target.protocol,
      JSON.stringify(p.next.target),
      p.next.profileSha256,
      e.id,
      p.controllerId,
    );
  },
  'controller.retired': (db, e, p) => {
    db.prepare('UPDATE controllers SET retired_at = ? WHERE id = ?').run(e.at, p.controllerId);
  },
  'policy.adopted': (db, e, p) => {
    db.prepare(
      'INSERT INTO policies (event_id, revision, name, sha256, yaml, source, adopted_by, adopted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(e.id, p.revision, p.name, p.sha256, p.yaml, p.source, p.signature.signer.name, e.at);
  },
  'change.updated': (db, e, p) => {
    // A withdrawal or rejection recorded elsewhere while this change was executed (two laptops that could not see
    // each other) must not hide the execution: the change keeps its executed state and sync flags the conflict.
    if (STOPPING_OPERATIONS.has(p.operation)) {
      const current = db.prepare('SELECT status FROM changes WHERE id = ?').get(p.changeId) as { status: string } | undefined;
      if (current && isExecutedStatus(current.status)) return;
    }
    const s = p.state as {
      status: string;
      fields: { title: string; class: string | null };
      requester: { name: string };
      createdAt: string;
    };
    db.prepare(
      `INSERT INTO changes (id, status, title, class, requester, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, title = excluded.title, class = excluded.class, state = excluded.state, updated_at = excluded.updated_at`,
    ).run(p.changeId, s.status, s.fields.title, s.fields.class, s.requester.name, JSON.stringify(p.state), s.createdAt, e.at);
  },
};

const statementCaches = new WeakMap<Database.Database, Database.Database>();

/**
 * The connection as projectors see it: `prepare` answers each SQL text from a cache, since a replay of the whole
 * journal (rebuild, and the check of every table against the journal) would otherwise compile the same statements
 * once per event.
 */
function withStatementCache(db: Database.Database): Database.Database {
  let cached = statementCaches.get(db);
  if (!cached) {
    const statements = new Map<string, Database.Statement>();
    cached = {
      prepare: (sql: string) => {
        let stmt = statements.get(sql);
        if (!stmt) {
          stmt = db.prepare(sql);
          statements.set(sql, stmt);
        }
        return stmt;
      },
    } as unknown as Database.Database;
    statementCaches.set(db, cached);
  }
  return cached;
}

/** Applies one event to the projections (call inside the append transaction). */
export function project(db: Database.Database, event: JournalEvent, local = true): void {
  if (!isEventType(event.type)) return; // an event type from a newer build: kept in the journal, projected after upgrade
  const payload = EVENT_PAYLOADS[event.type].parse(event.payload);
  const projector = projectors[event.type] as Projector<EventType> | undefined;
  projector?.(withStatementCache(db), event, payload, local);
}

/** Empties every projection table and replays the journal, in one transaction. Returns events replayed. */
export function rebuildProjections(db: Database.Database, events: () => Iterable<JournalEvent>, localDevice: string | null): number {
  return db.transaction(() => {
    for (const table of PROJECTION_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    let n = 0;
    for (const e of events()) {
      project(db, e, localDevice === null || e.device === localDevice);
      n++;
    }
    return n;
  })();
}
