/** Sync with the central server, sync by file, evidence backup and sync conflicts. */
import type { SYNC_OPERATIONS } from '../../../src-shared/common/api/sync-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the sync operations (files cross the transports as base64). */
export function syncHandlers(app: BaselineApp): DomainHandlers<typeof SYNC_OPERATIONS> {
  return {
    'sync.status': () => app.sync.status(),
    'sync.now': () => app.sync.syncNow(),
    'sync.bundle.export': async () => {
      const r = await app.bundles.exportBytes({ onProgress: app.bundles.progressTo('export') });
      return { fileName: r.fileName, bundleBase64: r.bytes.toString('base64'), events: r.events, blobs: r.blobs };
    },
    'sync.bundle.import': async (req) => {
      const r = await app.bundles.importFile(Buffer.from(req.fileBase64, 'base64'), app.actor(), app.bundles.progressTo('import'));
      return { nothingChanged: r.nothingChanged, message: r.message };
    },
    'sync.enrolFile.request': (req) => {
      const r = app.bundles.enrolRequest(req.code, req.caFingerprint === null || req.caFingerprint === '' ? null : req.caFingerprint);
      return { fileName: r.fileName, requestBase64: r.bytes.toString('base64') };
    },
    'sync.backup.status': () => app.backup.status(),
    'sync.backup.setFolder': (req) => app.backup.setFolder(req.folder),
    'sync.conflicts': (req) => ({ conflicts: app.conflicts.list(req.changeId) }),
    'sync.clockFlags': (req) => ({ flags: app.sync.clockFlags(req.changeId) }),
    'sync.resolveConflict': (req) =>
      app.conflicts.resolve(req.conflictId, req.decision, req.reason, { employeeId: req.employeeId, password: req.password }, app.actor()),
    'sync.enrol': (req) => app.sync.enrol(req.serverUrl, req.code, req.caFingerprint, app.actor()),
  };
}
