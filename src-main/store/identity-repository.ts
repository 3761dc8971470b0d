/**
 * Read side of people, trusted CAs, signing failures, revocations and snapshots (projections).
 *
 * Every read of trust first has the journal prove these tables equal to its verified events (`assertTrustworthy`), so
 * a row deleted from `revocations` or added to `trusted_cas` by another program is refused, never believed.
 */
import type Database from 'better-sqlite3';

/** A person enrolled on this laptop. */
export interface PersonRow {
  fingerprint: string;
  employeeId: string;
  name: string;
  roles: string[];
  certificatePem: string;
  source: string;
  enrolledAt: string;
  lockedUntil: string | null;
  revoked: boolean;
}

/** What proves the trust tables before they are read: the store's journal. */
export interface TrustGuard {
  assertTrustworthy(): void;
}

/** Queries for identities and trust. */
export class IdentityRepository {
  private readonly db: Database.Database;
  private readonly guard: TrustGuard;

  constructor(db: Database.Database, guard: TrustGuard) {
    this.db = db;
    this.guard = guard;
  }

  /** Trusted plant CA certificates. */
  trustedCas(): { fingerprint: string; name: string; certificatePem: string; source: string }[] {
    this.guard.assertTrustworthy();
    return (
      this.db.prepare('SELECT fingerprint, name, certificate_pem, source FROM trusted_cas ORDER BY trusted_at').all() as {
        fingerprint: string;
        name: string;
        certificate_pem: string;
        source: string;
      }[]
    ).map((r) => ({ fingerprint: r.fingerprint, name: r.name, certificatePem: r.certificate_pem, source: r.source }));
  }

  /** Until when the plant CA with this fingerprint is locked after wrong CA passwords (null: not locked). */
  caLockedUntil(fingerprint: string): string | null {
    this.guard.assertTrustworthy();
    const row = this.db.prepare('SELECT locked_until FROM trusted_cas WHERE fingerprint = ?').get(fingerprint) as
      { locked_until: string | null } | undefined;
    return row?.locked_until ?? null;
  }

  /** Revoked certificate fingerprints. */
  revoked(): Set<string> {
    this.guard.assertTrustworthy();
    return new Set((this.db.prepare('SELECT fingerprint FROM revocations').all() as { fingerprint: string }[]).map((r) => r.fingerprint));
  }

  /** Everyone enrolled here, by name. */
  people(): PersonRow[] {
    this.guard.assertTrustworthy();
    const revoked = this.revoked();
    return (
      this.db.prepare('SELECT * FROM people ORDER BY name, enrolled_at').all() as {
        fingerprint: string;
        employee_id: string;
        name: string;
        roles: string;
        certificate_pem: string;
        source: string;
        enrolled_at: string;
        locked_until: string | null;
      }[]
    ).map((r) => ({
      fingerprint: r.fingerprint,
      employeeId: r.employee_id,
      name: r.name,
      roles: r.roles ? r.roles.split(',') : [],
      certificatePem: r.certificate_pem,
      source: r.source,
      enrolledAt: r.enrolled_at,
      lockedUntil: r.locked_until,
      revoked: revoked.has(r.fingerprint),
    }));
  }

  /** Wrong-password attempts for a certificate since a time. */
  failuresSince(fingerprint: string, sinceIso: string): number {
    this.guard.assertTrustworthy();
    return (
      this.db.prepare('SELECT count(*) AS n FROM signing_failures WHERE fingerprint = ? AND at >= ?').get(fingerprint, sinceIso) as {
        n: number;
      }
    ).n;
  }
}
