/**
 * A data directory opened read-only, for the CLI's checking commands (`journal verify | list`, `snapshot verify`,
 * `diff --home`, `verify --home`, `evidence export`): the signed journal with this directory's own device key
 * pinned, the trust it records (plant CAs and revocations, read only once the tables are proved against the
 * journal), its evidence packs and its stored files. It never writes; `rebuildProjections` is the one command
 * that rewrites the tables, from the journal. The CLI reaches a data directory only through this and BaselineApp.
 */
import type { JournalVerifyReport } from '../../src-shared/common/journal-event.ts';
import { openStore, type OpenStore } from '../store/database.ts';
import { JournalRepository, type PagedRow } from '../store/journal-repository.ts';
import { IdentityRepository } from '../store/identity-repository.ts';
import { EvidenceRepository } from '../store/evidence-repository.ts';
import { BlobStore } from '../store/blob-store.ts';
import { readDevicePublicKey } from '../store/device-key-store.ts';
import type { EvidenceService } from './evidence-service.ts';

export { protectionFromEnv, filePermissionsProtection } from '../store/device-key-store.ts';
export { writeFileAtomic } from '../store/atomic-file.ts';

/** The journal of a store with this data directory's own device pinned by its device key file (when present). */
function pinnedJournal(home: string, store: OpenStore): JournalRepository {
  const local = readDevicePublicKey(home);
  return new JournalRepository(store.db, null, undefined, local ? { id: local.deviceId, publicKeyPem: local.publicKeyPem } : null);
}

/** Reads one data directory without changing it; close it when done. */
export class DataDirectoryReader {
  private readonly home: string;
  private readonly store: OpenStore;
  private readonly journal: JournalRepository;

  private constructor(home: string) {
    this.home = home;
    this.store = openStore({ home, readOnly: true });
    this.journal = pinnedJournal(home, this.store);
  }

  /** Opens the data directory read-only. */
  static open(home: string): DataDirectoryReader {
    return new DataDirectoryReader(home);
  }

  /**
   * Every event's hash, signature, chain link and device key, every table against the journal, and every checklist
   * attachment's stored bytes against the hash its tick recorded.
   */
  async verifyJournal(): Promise<JournalVerifyReport> {
    const [{ auditAttachments, withAttachments }, { defaultResourcesDir }] = await Promise.all([
      import('./attachment-audit.ts'),
      import('./policy-service.ts'),
    ]);
    const findings = auditAttachments(new EvidenceRepository(this.store.db), new BlobStore(this.home), defaultResourcesDir());
    return withAttachments(this.journal.verifyAll(), findings);
  }

  /** The newest `limit` events, each with its verification problems, and how many events there are. */
  journalPage(limit: number): { rows: PagedRow[]; checks: ReturnType<JournalRepository['verifyRows']>; total: number } {
    const rows = this.journal.page(limit);
    return { rows, checks: this.journal.verifyRows(rows), total: this.journal.count() };
  }

  /** The plant CAs this directory trusts and the certificates it revoked (after proving the tables against the journal). */
  trust(): { caPems: string[]; revokedFingerprints: Set<string> } {
    const identity = new IdentityRepository(this.store.db, this.journal);
    return { caPems: identity.trustedCas().map((c) => c.certificatePem), revokedFingerprints: identity.revoked() };
  }

  /** The plant CAs this directory trusts, as PEM (after proving the tables against the journal). */
  trustedCaPems(): string[] {
    return new IdentityRepository(this.store.db, this.journal).trustedCas().map((c) => c.certificatePem);
  }

  /** The evidence service over this directory (packs are built from what it holds); loaded only by the commands that export. */
  async evidence(): Promise<EvidenceService> {
    const [{ EvidenceService }, { defaultResourcesDir }] = await Promise.all([
      import('./evidence-service.ts'),
      import('./policy-service.ts'),
    ]);
    const key = readDevicePublicKey(this.home) as { deviceId: string; name?: string } | null;
    return new EvidenceService({
      repo: new EvidenceRepository(this.store.db),
      blobs: new BlobStore(this.home),
      resourcesDir: defaultResourcesDir(),
      device: { id: key?.deviceId ?? 'unknown', name: key?.name ?? 'unknown' },
      clock: () => new Date(),
      // As for `baseline verify --home`: the trust tables are read only once proved against the signed journal.
      trustedCas: () => new IdentityRepository(this.store.db, pinnedJournal(this.home, this.store)).trustedCas(),
    });
  }

  /** Closes the database. */
  close(): void {
    this.store.close();
  }
}

/** The files stored in a data directory (attached exports and snapshots), by SHA-256; reads only its file store. */
export function storedFilesOf(home: string): { has(sha256: string): boolean; get(sha256: string): Buffer } {
  return new BlobStore(home);
}

/**
 * Rebuilds every projection table from the journal (per device by seq; this directory's own device only, and
 * devices certified by it). Returns how many events were replayed and how many were left out.
 */
export function rebuildProjections(home: string): { replayed: number; skipped: number } {
  const store = openStore({ home, purpose: 'baseline journal rebuild' });
  try {
    return pinnedJournal(home, store).rebuildProjections();
  } finally {
    store.close();
  }
}
