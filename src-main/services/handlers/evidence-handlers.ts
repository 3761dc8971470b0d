/** Evidence packs: export for a change, and verify a pack (files cross the transports as base64). */
import type { EVIDENCE_OPERATIONS } from '../../../src-shared/common/api/evidence-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the evidence operations. */
export function evidenceHandlers(app: BaselineApp): DomainHandlers<typeof EVIDENCE_OPERATIONS> {
  return {
    'evidence.verify': (req) => app.evidence.verify(req.fileName, Buffer.from(req.packBase64, 'base64')),
    'evidence.export': async (req) => {
      const pack = await app.evidence.export(req.changeId, app.actor());
      return {
        fileName: `${req.changeId}.zip`,
        zipBase64: pack.zip.toString('base64'),
        manifestSha256: pack.manifestSha256,
        members: pack.members,
      };
    },
  };
}
