/**
 * The composition root: opens a data directory and builds every service with its dependencies, for any
 * host (Electron shell, web host, in-process tests). The CLI's read-only commands use `openReadOnly`.
 */
import { hostname } from 'node:os';
import { BaselineError, type ErrorData } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { APP_VERSION } from '../app-version.ts';
import { openStore, type OpenStore } from '../store/database.ts';
import {
  RESTORED_PUBLIC_KEY_ONLY,
  loadOrCreateDeviceKey,
  readDevicePublicKey,
  restoredDirectoryError,
  type DeviceKey,
  type KeyProtection,
} from '../store/device-key-store.ts';
import { JournalRepository } from '../store/journal-repository.ts';
import { BlobStore } from '../store/blob-store.ts';
import { LATEST_SCHEMA_VERSION } from '../store/migrations.ts';
import { EventHub } from './event-hub.ts';
import { JournalService } from './journal-service.ts';
import { ConnectivityService } from './connectivity-service.ts';
import { CaptureService } from './capture-service.ts';
import { ControllerService } from './controller-service.ts';
import { ProfileService } from './profile-service.ts';
import { ControllerRepository } from '../store/controller-repository.ts';
import { PlantModelRepository } from '../store/plant-model-repository.ts';
import { PolicyRepository } from '../store/policy-repository.ts';
import { ChangeRepository } from '../store/change-repository.ts';
import { RestoreRepository } from '../store/restore-repository.ts';
import { IdentityRepository } from '../store/identity-repository.ts';
import { SnapshotRepository } from '../store/snapshot-repository.ts';
import { IdentityService } from './identity-service.ts';
import { SnapshotService } from './snapshot-service.ts';
import { BaselineService } from './baseline-service.ts';
import { BaselineRepository } from '../store/baseline-repository.ts';
import { RestoreService } from './restore-service.ts';
import { PolicyService, defaultResourcesDir } from './policy-service.ts';
import { ChecklistTemplateService } from './checklist-template-service.ts';
import { ChecklistService } from './checklist-service.ts';
import { ChangeService } from './change-service.ts';
import { ChangeViewService } from './change-view-service.ts';
import { PlantModelService } from './plant-model-service.ts';
import { ChangeRestoreService } from './change-restore-service.ts';
import { ChangeCaptureService } from './change-capture-service.ts';
import { EvidenceService } from './evidence-service.ts';
import { EvidenceRepository } from '../store/evidence-repository.ts';
import { auditAttachments } from './attachment-audit.ts';
import { KpiService } from './kpi-service.ts';
import { KpiRepository } from '../store/kpi-repository.ts';
import { DriftScheduler } from './drift-scheduler.ts';
import { clockSkewLimitMs, driftClockPolicy } from '../../src-shared/common/workflow/policy-schema.ts';
import { SyncRepository } from '../store/sync-repository.ts';
import { SyncService } from './sync-service.ts';
import { SyncBundleService } from './sync-bundle-service.ts';
import { EvidenceBackupService } from './evidence-backup-service.ts';
import { ConflictService } from './conflict-service.ts';
import { ControllerEditService } from './controller-edit-service.ts';
import { SearchService } from './search-service.ts';
import { SearchRepository } from '../store/search-repository.ts';
import { LineCaptureService } from './line-capture-service.ts';
import { TagValuesService } from './tag-values-service.ts';
import { DeviceSupervisor, forkDeviceProcess, type SpawnDeviceProcess } from '../devices/process/device-supervisor.ts';

/** Which program hosts the services. */
export type Transport = 'electron' | 'web' | 'cli' | 'in-process';

/** How to start the services. */
export interface BaselineAppOptions {
  home: string;
  transport: Transport;
  keyProtection: KeyProtection;
  serverUrl?: string | null;
  clock?: () => Date;
  /**
   * The time the change workflow judges by (notice, windows, slots, the times inside a change's state); default:
   * `clock`. Only the demo plant's history sets it (to its business dates); the journal's event times stay `clock`'s.
   */
  workflowClock?: () => Date;
  /** A new data directory becomes a demo one: its `device.created` event carries `demo: true` (ignored for an existing one). */
  demo?: boolean;
  /** How to start the device process (Electron passes utilityProcess; default: a forked Node child). */
  spawnDevice?: SpawnDeviceProcess;
  /** The app's resources folder (policy, demo plant); default: the repository's resources/. */
  resourcesDir?: string;
  /** How often the background drift clock looks for due checks (default 5 minutes). */
  driftCheckIntervalMs?: number;
  /** Background sync timing (tests shorten it); default: every minute and 3 s after a new event. */
  sync?: { intervalMs?: number; afterEventMs?: number; timeoutMs?: number; background?: boolean; pullOnly?: boolean };
}

import { osUserActor } from './os-user-actor.ts';

export { osUserActor };

/** Every service of one open data directory. */
export class BaselineApp {
  readonly store: OpenStore;
  readonly deviceKey: DeviceKey;
  readonly hub = new EventHub();
  readonly journal: JournalRepository;
  readonly blobs: BlobStore;
  readonly journalService: JournalService;
  readonly connectivity: ConnectivityService;
  readonly transport: Transport;
  /** Registered controllers, their capture profiles and captures (read side). */
  readonly controllerRecords: ControllerRepository;
  readonly devices: DeviceSupervisor;
  readonly profiles: ProfileService;
  readonly controllers: ControllerService;
  readonly captures: CaptureService;
  readonly identity: IdentityService;
  readonly snapshots: SnapshotService;
  readonly baselines: BaselineService;
  readonly restores: RestoreService;
  readonly policy: PolicyService;
  readonly plantModel: PlantModelService;
  readonly changeRestores: ChangeRestoreService;
  /** Before- and after-captures started from a change's screen. */
  readonly changeCaptures: ChangeCaptureService;
  readonly changes: ChangeService;
  /** The plant's checklist templates (shipped revision 1 until the plant adopts its own). */
  readonly checklistTemplates: ChecklistTemplateService;
  /** Ticks of a change's checklists, with notes and attached files. */
  readonly checklists: ChecklistService;
  /** The change detail and the lines' window calendar, assembled from the services that hold their parts. */
  readonly changeViews: ChangeViewService;
  readonly evidence: EvidenceService;
  readonly kpis: KpiService;
  /** The background CIP-010 drift clock; started by the hosts that stay open (`startBackground`). */
  readonly driftScheduler: DriftScheduler;
  readonly sync: SyncService;
  /** Sync by file (air-gapped plants). */
  readonly bundles: SyncBundleService;
  /** Evidence backup to removable media (bundles written after checkpoint signatures and at the end of changes). */
  readonly backup: EvidenceBackupService;
  /** Sync conflicts between devices' records, and their signed resolutions. */
  readonly conflicts: ConflictService;
  private readonly backgroundSync: boolean;
  /** Editing and retiring controllers (signed by plant engineering). */
  readonly controllerEdits: ControllerEditService;
  /** The header's global search. */
  readonly search: SearchService;
  /** "Capture all controllers of this line". */
  readonly lineCaptures: LineCaptureService;
  /** Profile tags with current values, for a proposed change. */
  readonly tagValues: TagValuesService;

  /** Why this data directory is open read-only (it was rebuilt from backups and cannot sign), or null. */
  readOnly: ErrorData | null = null;

  private constructor(store: OpenStore, deviceKey: DeviceKey, options: BaselineAppOptions) {
    this.store = store;
    this.deviceKey = deviceKey;
    this.transport = options.transport;
    this.journal = new JournalRepository(store.db, deviceKey, options.clock);
    this.blobs = new BlobStore(store.home);
    this.journalService = new JournalService(this.journal, this.hub, () =>
      auditAttachments(new EvidenceRepository(store.db), this.blobs, options.resourcesDir ?? defaultResourcesDir()),
    );
    this.connectivity = new ConnectivityService(this.hub, { serverUrl: options.serverUrl ?? null });
    this.controllerRecords = new ControllerRepository(store.db);
    this.devices = new DeviceSupervisor(options.spawnDevice ?? forkDeviceProcess);
    this.profiles = new ProfileService(this.journal, this.blobs, this.controllerRecords);
    this.captures = new CaptureService(this.devices, { journal: this.journal, blobs: this.blobs }, options.clock);
    this.controllers = new ControllerService(this.journal, this.controllerRecords, {
      profiles: this.profiles,
      captures: this.captures,
      hub: this.hub,
    });
    this.policy = new PolicyService(options.resourcesDir ?? defaultResourcesDir(), new PolicyRepository(store.db), this.journal, {
      journal: this.journal,
      identity: () => this.identity,
    });
    this.identity = new IdentityService(
      store.home,
      this.journal,
      new IdentityRepository(store.db, this.journal),
      () => this.policy.lockout(),
      options.clock,
      () => this.policy.knownRoles().map((r) => r.id),
    );
    this.snapshots = new SnapshotService(this.journal, this.blobs, this.identity, this.controllers, new SnapshotRepository(store.db));
    this.baselines = new BaselineService({
      journal: this.journal,
      blobs: this.blobs,
      repo: new BaselineRepository(store.db),
      identity: this.identity,
      captures: this.captures,
      controllers: this.controllers,
      profiles: this.profiles,
      clockPolicy: () => driftClockPolicy(this.policy.current()),
      clock: options.clock ?? (() => new Date()),
    });
    this.driftScheduler = new DriftScheduler({
      baselines: this.baselines,
      clock: options.clock ?? (() => new Date()),
      actor: () => this.actor(),
      ...(options.driftCheckIntervalMs !== undefined ? { intervalMs: options.driftCheckIntervalMs } : {}),
    });
    this.plantModel = new PlantModelService({
      model: new PlantModelRepository(store.db),
      journal: this.journal,
      identity: this.identity,
      knownRoles: () => this.policy.knownRoles().map((r) => r.id),
      controllers: this.controllers,
      repo: this.controllerRecords,
    });
    this.checklistTemplates = new ChecklistTemplateService({
      resourcesDir: options.resourcesDir ?? defaultResourcesDir(),
      repo: new PolicyRepository(store.db),
      journal: this.journal,
      identity: () => this.identity,
      checkpoints: () => this.policy.checkpoints(),
    });
    this.changes = new ChangeService({
      changes: new ChangeRepository(store.db),
      journal: this.journal,
      identity: this.identity,
      policy: this.policy,
      profiles: this.profiles,
      plantModel: this.plantModel,
      baselines: this.baselines,
      checklists: this.checklistTemplates,
      clock: options.workflowClock ?? options.clock ?? (() => new Date()),
    });
    this.checklists = new ChecklistService({
      changes: this.changes,
      templates: this.checklistTemplates,
      blobs: this.blobs,
      checkpoints: () => this.policy.checkpoints(),
    });
    this.controllerEdits = new ControllerEditService({
      journal: this.journal,
      plant: this.controllerRecords,
      changes: new ChangeRepository(store.db),
      identity: this.identity,
    });
    this.search = new SearchService({ repo: new SearchRepository(store.db), loadProfile: (sha) => this.profiles.load(sha) });
    this.lineCaptures = new LineCaptureService({
      plant: this.controllerRecords,
      captures: this.captures,
      profiles: this.profiles,
      lines: () => this.plantModel.lines(),
      hub: this.hub,
    });
    this.tagValues = new TagValuesService({
      plant: this.controllerRecords,
      profiles: this.profiles,
      snapshots: this.snapshots,
      baselines: this.baselines,
    });
    // The detail's approval-timeout and retrospective status read the wall clock, as they always have.
    this.changeViews = new ChangeViewService({
      changes: this.changes,
      policy: this.policy,
      baselines: this.baselines,
      snapshots: this.snapshots,
      plantModel: this.plantModel,
      clock: () => new Date(),
    });
    this.kpis = new KpiService({ repo: new KpiRepository(store.db), policy: this.policy, clock: options.clock ?? (() => new Date()) });
    this.restores = new RestoreService({
      decisions: new RestoreRepository(store.db),
      journal: this.journal,
      identity: this.identity,
      controllers: this.controllers,
      profiles: this.profiles,
      devices: this.devices,
      clock: options.clock ?? (() => new Date()),
    });
    this.evidence = new EvidenceService({
      repo: new EvidenceRepository(store.db),
      blobs: this.blobs,
      resourcesDir: options.resourcesDir ?? defaultResourcesDir(),
      device: { id: deviceKey.deviceId, name: deviceKey.name },
      clock: options.clock ?? (() => new Date()),
      trustedCas: () => this.identity.trustedCaCertificates(),
    });
    this.changeRestores = new ChangeRestoreService({
      journal: this.journal,
      changes: this.changes,
      baselines: this.baselines,
      captures: this.captures,
      controllers: this.controllers,
      profiles: this.profiles,
      restores: this.restores,
      identity: this.identity,
    });
    this.changeCaptures = new ChangeCaptureService({
      repo: new ChangeRepository(store.db),
      blobs: this.blobs,
      changes: this.changes,
      captures: this.captures,
      controllers: this.controllers,
      profiles: this.profiles,
      snapshots: this.snapshots,
      identity: this.identity,
      policy: this.policy,
      hub: this.hub,
    });
    const syncRepo = new SyncRepository(store.db);
    this.conflicts = new ConflictService({ repo: syncRepo, journal: this.journal, identity: this.identity });
    this.sync = new SyncService({
      home: store.home,
      journal: this.journal,
      repo: syncRepo,
      blobs: this.blobs,
      hub: this.hub,
      deviceKey,
      identity: this.identity,
      ...(options.clock ? { clock: options.clock } : {}),
      skewLimitMs: () => clockSkewLimitMs(this.policy.current()),
      ...(options.sync ?? {}),
    });
    this.bundles = new SyncBundleService({
      home: store.home,
      journal: this.journal,
      repo: new SyncRepository(store.db),
      blobs: this.blobs,
      hub: this.hub,
      deviceKey,
      keyProtection: options.keyProtection,
      sync: this.sync,
      identity: this.identity,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.backup = new EvidenceBackupService({
      deviceId: deviceKey.deviceId,
      journal: this.journal,
      repo: syncRepo,
      hub: this.hub,
      sync: this.sync,
      bundles: this.bundles,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.backgroundSync = options.sync?.background ?? true;
  }

  /** Opens (creating on first start) a data directory, records `device.created` once and `app.started` each time. */
  static open(options: BaselineAppOptions): BaselineApp {
    const store = openStore({ home: options.home, purpose: `${options.transport} app` });
    try {
      const probe = new JournalRepository(store.db, null);
      const existingKey = readDevicePublicKey(options.home);
      const journalHasOwnDevice = existingKey !== null && probe.hasDevice(existingKey.deviceId);
      const isNewStore = probe.count() === 0;
      if (existingKey === null && !isNewStore) {
        throw new BaselineError(
          'device-key-missing',
          `The data directory ${options.home} has a journal but no device key (device-key.json).`,
          'Restore device-key.json from the backup of this data directory. A new key would break the signed chain, so Baseline will not make one.',
        );
      }
      const { key } = loadOrCreateDeviceKey(options.home, options.keyProtection, isNewStore);
      const app = new BaselineApp(store, key, options);
      if (key.protection === RESTORED_PUBLIC_KEY_ONLY) {
        // Rebuilt from backups (`baseline restore`): read and verify only; nothing is appended, nothing runs in the background.
        app.readOnly = restoredDirectoryError(key.name, key.deviceId).toData();
        return app;
      }
      const actor = osUserActor();
      if (!journalHasOwnDevice) {
        app.journal.append(
          'device.created',
          {
            name: options.demo && isNewStore ? `DEMO ${key.name} (demo data, not evidence)` : key.name,
            publicKeyPem: key.publicKeyPem,
            keyProtection: key.protection,
            appVersion: APP_VERSION,
            ...(options.demo && isNewStore ? { demo: true as const } : {}),
          },
          { kind: 'device', id: key.deviceId, name: key.name },
        );
      }
      app.journal.append(
        'app.started',
        {
          transport: options.transport,
          appVersion: APP_VERSION,
          platform: `${process.platform}-${process.arch}`,
          host: hostname(),
          pid: process.pid,
        },
        actor,
      );
      app.connectivity.start();
      if (app.backgroundSync) app.sync.start();
      app.backup.start();
      return app;
    } catch (err) {
      store.close();
      throw err;
    }
  }

  /** The actor for actions taken in this program by whoever runs it (until people sign in, issue #4). */
  actor(): Actor {
    return osUserActor();
  }

  /** Facts about this app instance. */
  info() {
    return {
      appVersion: APP_VERSION,
      deviceId: this.deviceKey.deviceId,
      deviceName: this.deviceKey.name,
      home: this.store.home,
      transport: this.transport,
      keyProtection: this.deviceKey.protection,
      schemaVersion: LATEST_SCHEMA_VERSION,
      demo: this.isDemo(),
      readOnly: this.readOnly ? { message: this.readOnly.message, hint: this.readOnly.hint } : null,
      centralView: false,
    };
  }

  /** Whether this is a demo data directory (its device announced itself as a demo device). */
  isDemo(): boolean {
    return this.journal.isDemoDevice(this.deviceKey.deviceId);
  }

  /** Starts the background work of a host that stays open (Electron shell, web host): the drift clock. */
  startBackground(): void {
    if (this.readOnly) return;
    this.driftScheduler.start();
  }

  /** Stops the background work, waits for a drift check in progress, then closes (hosts that started it call this). */
  async closeWhenIdle(): Promise<void> {
    await this.driftScheduler.stop();
    this.close();
  }

  /** Stops background work and closes the store (releasing the lock). */
  close(): void {
    void this.driftScheduler.stop();
    void this.sync.stop();
    void this.backup.stop();
    this.connectivity.stop();
    this.devices.close();
    this.store.close();
  }
}
