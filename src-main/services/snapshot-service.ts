/** Signed snapshots: a complete capture, signed "captured by" the engineer, stored and recorded (issue #4). */
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { snapshotDocumentOf, type Artefact, type SnapshotFile } from '../../src-shared/common/snapshot/snapshot.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SnapshotRepository } from '../store/snapshot-repository.ts';
import type { SnapshotView } from '../../src-shared/common/api/contract.ts';
import type { ControllerService } from './controller-service.ts';
import type { IdentityService } from './identity-service.ts';

/** Makes and stores signed snapshots. */
export class SnapshotService {
  private readonly journal: JournalRepository;
  private readonly blobs: BlobStore;
  private readonly identity: IdentityService;

  /** Registered controllers, for signing a capture of one (the app gives them; the CLI signs ad-hoc captures). */
  private readonly controllers: ControllerService | null;

  /** The signed-snapshot projection (the app gives it; the CLI's one-shot signing does not list). */
  private readonly records: SnapshotRepository | null;

  constructor(
    journal: JournalRepository,
    blobs: BlobStore,
    identity: IdentityService,
    controllers: ControllerService | null = null,
    records: SnapshotRepository | null = null,
  ) {
    this.journal = journal;
    this.blobs = blobs;
    this.identity = identity;
    this.controllers = controllers;
    this.records = records;
  }

  /** Stores a file to attach to a snapshot (a vendor project or export) and describes it by its hash. */
  storeArtefact(name: string, bytes: Buffer, mediaType: string): Artefact {
    return { name, sha256: this.blobs.put(bytes), size: bytes.length, mediaType };
  }

  /** The signed snapshots of a controller, newest first. */
  list(controllerId: string): SnapshotView[] {
    if (!this.records)
      throw new BaselineError(
        'snapshots-unavailable',
        'This program keeps no list of signed snapshots.',
        'Open the data directory in the app.',
      );
    return this.records.list(controllerId);
  }

  /**
   * Signs a recorded capture of a registered controller "captured by" the signer; a capture of another controller
   * is refused by name.
   */
  signCaptureOf(controllerId: string, captureSha256: string, employeeId: string, password: string): SnapshotView {
    if (!this.controllers)
      throw new BaselineError(
        'controllers-unavailable',
        'This program signs captures of registered controllers only in the app.',
        'Sign it in the app.',
      );
    const controller = this.controllers.get(controllerId);
    const capture = JSON.parse(this.blobs.get(captureSha256).toString('utf8')) as CaptureDocument;
    if (capture.controller.description !== controller.description) {
      throw new BaselineError(
        'capture-other-controller',
        `That capture is of ${capture.controller.description}, not ${controller.name}.`,
        'Sign a capture of this controller.',
      );
    }
    const { sha256, file } = this.sign(capture, employeeId, password, controller.id, this.identity.signingActor(employeeId));
    const [first, ...later] = file.signatures;
    return {
      sha256,
      controllerId: controller.id,
      controller: controller.description,
      signer: first!.signer.name,
      cosigners: later.map((s) => s.signer.name),
      at: first!.at,
    };
  }

  /** An unsigned snapshot file of a capture (what `baseline capture --out` writes without a signer). */
  static unsigned(capture: CaptureDocument, artefacts: Artefact[] = []): SnapshotFile {
    return { schema: 'baseline.snapshot/1', document: snapshotDocumentOf(capture, artefacts), signatures: [] };
  }

  /**
   * The signatures the stored file of this document already carries, which a new signature joins: a second person's
   * signature of the same snapshot is kept beside the first. The same person signing it again with the same meaning
   * is refused, naming who signed it and when (nothing is signed or recorded).
   */
  private signaturesSoFar(sha256: string, employeeId: string): SnapshotFile['signatures'] {
    const fileSha256 = this.records?.fileOf(sha256) ?? null;
    if (fileSha256 === null) return [];
    const stored = JSON.parse(this.blobs.get(fileSha256).toString('utf8')) as SnapshotFile;
    const mine = stored.signatures.find((s) => s.signer.employeeId === employeeId && s.meaning === 'captured by');
    if (mine) {
      throw new BaselineError(
        'snapshot-already-signed',
        `Snapshot ${sha256.slice(0, 12)}… of ${stored.document.controller.description} is already signed "captured by" by ${mine.signer.name} (${mine.signer.employeeId}) at ${mine.at}.`,
        'Nothing was signed again: the signed snapshot stands as it is. Another person may add their own signature.',
      );
    }
    return stored.signatures;
  }

  /**
   * Signs a complete capture as the engineer who captured it (password asked for this one signature); a document
   * already signed by someone else gets this signature beside theirs, in a new stored file.
   */
  sign(
    capture: CaptureDocument,
    employeeId: string,
    password: string,
    controllerId: string | null,
    actor: Actor,
    artefacts: Artefact[] = [],
  ): { file: SnapshotFile; sha256: string } {
    if (!capture.complete) {
      throw new BaselineError(
        'capture-incomplete',
        `The capture of ${capture.controller.description} is incomplete (${capture.stats.bad} of ${capture.stats.tags} tags bad), so it cannot be signed as evidence.`,
        'Fix the connection or the profile and capture again.',
      );
    }
    const document = snapshotDocumentOf(capture, artefacts);
    const sha256 = sha256Hex(canonicalJson(document));
    const earlier = this.signaturesSoFar(sha256, employeeId);
    const signature = this.identity.sign(employeeId, password, 'captured by', sha256);
    const file: SnapshotFile = { schema: 'baseline.snapshot/1', document, signatures: [...earlier, signature] };
    const fileSha256 = this.blobs.put(Buffer.from(JSON.stringify(file, null, 2) + '\n'));
    this.journal.append(
      'snapshot.captured',
      {
        controllerId,
        controller: capture.controller.description,
        snapshotSha256: sha256,
        fileSha256,
        complete: true,
        signerFingerprint: signature.signer.fingerprint,
        signer: signature.signer.name,
      },
      actor,
    );
    return { file, sha256 };
  }
}
