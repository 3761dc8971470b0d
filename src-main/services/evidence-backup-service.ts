/**
 * Evidence backup for air-gapped plants (ARCHITECTURE §8, docs/air-gap.md): with a folder set (a removable drive),
 * an encrypted bundle of this laptop's chain is written there after every checkpoint signature and at the end of
 * every change. A failure (drive missing, full, read-only) is shown in the sync status and retried every minute,
 * never undoing the signature that triggered it. The bundles are the sync bundles (sync-bundle-service.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError, toErrorData, type ErrorData } from '../../src-shared/common/errors.ts';
import { BUNDLE_SUFFIX } from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import { backupFolderProblem } from './sync-bundle-files.ts';
import type { SyncBundleService } from './sync-bundle-service.ts';
import type { SyncService } from './sync-service.ts';

/** Retry period after a failed backup. */
const BACKUP_RETRY_MS = 60_000;

/** Where evidence backup stands (shown in the sync status). */
export interface BackupStatus {
  folder: string | null;
  lastBackupAt: string | null;
  lastBackupFile: string | null;
  /** This laptop's events after the last backup and not acknowledged by the server. */
  notBackedUp: number;
  lastError: ErrorData | null;
  /** Whether a backup can be opened without this laptop (encrypted to the server's bundle certificate too). */
  openableByServer: boolean;
}

/** What evidence backup needs. */
export interface EvidenceBackupDeps {
  deviceId: string;
  journal: JournalRepository;
  repo: SyncRepository;
  hub: EventHub;
  sync: SyncService;
  bundles: SyncBundleService;
  clock?: () => Date;
  retryMs?: number;
}

/** Writes evidence backups to the chosen folder and reports where they stand. */
export class EvidenceBackupService {
  private readonly deps: EvidenceBackupDeps;
  private readonly clock: () => Date;
  private retry: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  /** How long after a failed backup it is tried again (ms). */
  retryMs: number;

  constructor(deps: EvidenceBackupDeps) {
    this.deps = deps;
    this.retryMs = deps.retryMs ?? BACKUP_RETRY_MS;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The backup folder setting (null: off). */
  folder(): string | null {
    return this.deps.repo.get('backup-folder') || null;
  }

  /** Sets (or clears, with null) the folder evidence backups are written to. */
  setFolder(folder: string | null): BackupStatus {
    if (folder !== null) backupFolderProblem(folder);
    this.deps.repo.set('backup-folder', folder ?? '');
    return this.status();
  }

  /** Where evidence backup stands. */
  status(): BackupStatus {
    const backedUp = Math.max(Number(this.deps.repo.get('backup-seq') ?? '0'), this.deps.bundles.acknowledgedSeq());
    const lastError = this.deps.repo.get('backup-error');
    return {
      folder: this.folder(),
      lastBackupAt: this.deps.repo.get('backup-at'),
      lastBackupFile: this.deps.repo.get('backup-file'),
      notBackedUp: this.deps.repo.countAfter(this.deps.deviceId, backedUp),
      lastError: lastError ? (JSON.parse(lastError) as ErrorData) : null,
      openableByServer: this.deps.bundles.serverCertificate() !== null,
    };
  }

  /** Starts writing backups after checkpoint signatures and at the end of changes. */
  start(): void {
    this.unsubscribe ??= this.deps.journal.onAppended((e) => {
      if (e.type !== 'change.updated') return;
      const op = (e.payload as { operation?: unknown }).operation;
      if (op === 'checkpoint' || op === 'close' || op === 'rollback') void this.soon();
    });
  }

  /** Stops; waits for a backup in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.running?.catch(() => undefined);
  }

  /** Writes a backup now (after the signature that triggered it is already stored); resolves when written or failed. */
  soon(): Promise<void> {
    if (this.closed || !this.folder()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once().catch(() => undefined); // the store closed under it: nothing to record
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async once(): Promise<void> {
    const folder = this.folder();
    if (!folder) return;
    const head = this.deps.repo.head(this.deps.deviceId);
    const at = this.clock();
    const file = join(
      folder,
      `baseline-backup-${this.deps.deviceId}-${String(head.seq).padStart(8, '0')}-${at.toISOString().replace(/[:.]/g, '-')}${BUNDLE_SUFFIX}`,
    );
    try {
      if (!existsSync(folder))
        throw new BaselineError(
          'backup-folder-missing',
          `The backup folder ${folder} is not there (is the removable drive plugged in?).`,
          'Plug in the drive or choose another folder under Sync > Evidence backup; Baseline retries every minute.',
        );
      await this.deps.bundles.exportBundle(file, { backup: true });
      this.deps.repo.set('backup-seq', String(head.seq));
      this.deps.repo.set('backup-at', at.toISOString());
      this.deps.repo.set('backup-file', file);
      this.deps.repo.set('backup-error', '');
      if (this.retry) clearTimeout(this.retry);
      this.retry = null;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const data: ErrorData =
        e.code === 'ENOSPC'
          ? {
              code: 'backup-target-full',
              message: `The backup drive (${folder}) is full: the evidence backup was not written.`,
              hint: 'Free space or plug in another drive; the signature stands and Baseline retries every minute.',
            }
          : e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM' || e.code === 'ENOTDIR' || e.code === 'EISDIR'
            ? {
                code: 'backup-target-read-only',
                message: `The backup folder ${folder} cannot be written (${e.code}, read-only or no permission): the evidence backup was not written.`,
                hint: 'Unlock the drive (write-protect switch) or choose another folder; the signature stands and Baseline retries every minute.',
              }
            : toErrorData(err);
      this.deps.repo.set('backup-error', JSON.stringify({ code: data.code, message: data.message, hint: data.hint }));
      if (!this.closed && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.soon();
        }, this.retryMs);
        this.retry.unref();
      }
    }
    if (!this.closed) this.deps.hub.emit('sync.status', this.deps.sync.status());
  }
}
