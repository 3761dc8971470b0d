/**
 * Read side of the controller projections: registered controllers, capture profiles and captures, as plain
 * typed objects. Writes happen only through journal events (projections.ts).
 */
import type Database from 'better-sqlite3';
import { ControllerTargetSchema, type ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';

/** A registered controller. */
export interface ControllerRow {
  id: string;
  name: string;
  target: ControllerTarget;
  profileSha256: string | null;
  registeredAt: string;
  /** When plant engineering retired it (null: in service). */
  retiredAt: string | null;
}

/** A stored capture profile. */
export interface ProfileRow {
  sha256: string;
  name: string;
  protocol: 'modbus' | 's7' | 'logix';
  tags: number;
  importedAt: string;
}

/** A recorded capture. */
export interface CaptureRow {
  eventId: string;
  at: string;
  controllerId: string | null;
  controller: string;
  captureSha256: string;
  profileSha256: string;
  complete: boolean;
  tags: number;
  good: number;
  bad: number;
  requests: number;
  minimumRequests: number;
  actor: string;
}

interface RawCapture {
  event_id: string;
  at: string;
  controller_id: string | null;
  controller: string;
  capture_sha256: string;
  profile_sha256: string;
  complete: number;
  tags: number;
  good: number;
  bad: number;
  requests: number;
  minimum_requests: number;
  actor: string;
}

function captureRow(r: RawCapture): CaptureRow {
  return {
    eventId: r.event_id,
    at: r.at,
    controllerId: r.controller_id,
    controller: r.controller,
    captureSha256: r.capture_sha256,
    profileSha256: r.profile_sha256,
    complete: r.complete === 1,
    tags: r.tags,
    good: r.good,
    bad: r.bad,
    requests: r.requests,
    minimumRequests: r.minimum_requests,
    actor: r.actor,
  };
}

/** Queries over controllers, profiles and captures. */
export class ControllerRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Every registered controller in service (with `includeRetired`, retired ones too), by name. */
  controllers(options: { includeRetired?: boolean } = {}): ControllerRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, name, target, profile_sha256, registered_at, retired_at FROM controllers
      ${options.includeRetired ? '' : 'WHERE retired_at IS NULL'} ORDER BY name, id`,
      )
      .all() as {
      id: string;
      name: string;
      target: string;
      profile_sha256: string | null;
      registered_at: string;
      retired_at: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      target: ControllerTargetSchema.parse(JSON.parse(r.target)),
      profileSha256: r.profile_sha256,
      registeredAt: r.registered_at,
      retiredAt: r.retired_at,
    }));
  }

  /** One controller, retired or not (its history stays readable), or null. */
  controller(id: string): ControllerRow | null {
    return this.controllers({ includeRetired: true }).find((c) => c.id === id) ?? null;
  }

  /** The controllers in service on a line, by name. */
  controllersOnLine(lineId: string): ControllerRow[] {
    const ids = new Set(
      (this.db.prepare('SELECT id FROM controllers WHERE line_id = ? AND retired_at IS NULL').all(lineId) as { id: string }[]).map(
        (r) => r.id,
      ),
    );
    return this.controllers().filter((c) => ids.has(c.id));
  }

  /** Every stored profile, newest first. */
  profiles(): ProfileRow[] {
    return (
      this.db.prepare('SELECT sha256, name, protocol, tags, imported_at FROM profiles ORDER BY imported_at DESC').all() as {
        sha256: string;
        name: string;
        protocol: ProfileRow['protocol'];
        tags: number;
        imported_at: string;
      }[]
    ).map((r) => ({ sha256: r.sha256, name: r.name, protocol: r.protocol, tags: r.tags, importedAt: r.imported_at }));
  }

  /** One profile, or null. */
  profile(sha256: string): ProfileRow | null {
    return this.profiles().find((p) => p.sha256 === sha256) ?? null;
  }

  /** Captures of a controller, newest first. */
  captures(controllerId: string, limit = 20): CaptureRow[] {
    return (
      this.db
        .prepare('SELECT * FROM captures WHERE controller_id = ? ORDER BY at DESC, rowid DESC LIMIT ?')
        .all(controllerId, limit) as RawCapture[]
    ).map(captureRow);
  }

  /** The newest capture of every controller. */
  lastCaptures(): Map<string, CaptureRow> {
    const rows = this.db
      .prepare(
        `SELECT c.* FROM captures c
      WHERE c.controller_id IS NOT NULL AND c.rowid = (SELECT c2.rowid FROM captures c2 WHERE c2.controller_id = c.controller_id ORDER BY c2.at DESC, c2.rowid DESC LIMIT 1)`,
      )
      .all() as RawCapture[];
    return new Map(rows.map((r) => [r.controller_id!, captureRow(r)]));
  }
}
