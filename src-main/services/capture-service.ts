/**
 * Captures: joins a capture profile, a controller target and the device process, and turns the device
 * process's answer into a capture document (`baseline.capture/1`, docs/formats.md) that records what was read,
 * how, by whom and whether it is complete. Device code never touches the store; this service does, when
 * it was given a journal.
 */
import { hostname } from 'node:os';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import type { CaptureProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { describeTarget, type CaptureOptions, type ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import type { CaptureJobResult } from '../../src-shared/common/capture/capture-result.ts';
import type { CaptureDocument, CaptureDocumentValue } from '../../src-shared/common/capture/capture-document.ts';
import { BaselineError, type ErrorData } from '../../src-shared/common/errors.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, type DocumentDiff } from '../../src-shared/common/diff/document-diff.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { CapturePhase } from '../../src-shared/common/workflow/change-capture.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { APP_VERSION } from '../app-version.ts';
import type { DeviceSupervisor } from '../devices/process/device-supervisor.ts';
import type { JobProgress } from '../devices/process/device-messages.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { EventHub } from './event-hub.ts';
import { v7 as uuidv7 } from 'uuid';

/** What to capture. */
export interface CaptureRequest {
  /** The registered controller, when captured from the app (null from the CLI with an ad-hoc target). */
  controllerId?: string | null;
  target: ControllerTarget;
  profile: CaptureProfile;
  /** The profile's canonical JSON and its SHA-256 when the caller has them (the CLI's hash-checked profile cache). */
  canonicalProfile?: { json: string; sha256: string };
  profileName: string;
  options: CaptureOptions;
  /** Started from a change's screen as its before- or after-capture (recorded with the capture). */
  change?: { changeId: string; phase: CapturePhase };
}

/** Runs captures in the device process and records them. */
export class CaptureService {
  private readonly devices: DeviceSupervisor;
  private readonly record: { journal: JournalRepository; blobs: BlobStore } | null;
  private readonly running = new Map<string, AbortController>();

  /** When captures happen (the app's clock; tests set it). */
  private readonly clock: () => Date;

  constructor(
    devices: DeviceSupervisor,
    record: { journal: JournalRepository; blobs: BlobStore } | null = null,
    clock: () => Date = () => new Date(),
  ) {
    this.devices = devices;
    this.record = record;
    this.clock = clock;
  }

  /**
   * Starts a capture in the background and returns its id at once; progress and the result are pushed as
   * `capture.progress` / `capture.finished` events (the UI shows a progress bar and a cancel button).
   */
  start(
    req: CaptureRequest & { controllerId: string },
    actor: Actor,
    hub: EventHub,
    onFinished?: (captureSha256: string | null) => void,
  ): string {
    const captureId = uuidv7();
    const ac = new AbortController();
    this.running.set(captureId, ac);
    const { controllerId } = req;
    void this.run(req, actor, {
      signal: ac.signal,
      onProgress: (p) => hub.emit('capture.progress', { captureId, controllerId, ...p }),
    })
      .then(
        ({ doc, captureSha256 }) => {
          hub.emit('capture.finished', {
            captureId,
            controllerId,
            captureSha256,
            complete: doc.complete,
            tags: doc.stats.tags,
            good: doc.stats.good,
            bad: doc.stats.bad,
            failure: doc.failure,
            ...(req.change ? { change: req.change } : {}),
          });
          onFinished?.(captureSha256);
        },
        (err: unknown) => {
          hub.emit('capture.finished', {
            captureId,
            controllerId,
            captureSha256: null,
            complete: false,
            tags: req.profile.tags.length,
            good: 0,
            bad: req.profile.tags.length,
            failure: { code: 'capture-failed', message: err instanceof Error ? err.message : String(err), hint: 'Retry the capture.' },
            ...(req.change ? { change: req.change } : {}),
          });
          onFinished?.(null);
        },
      )
      .finally(() => this.running.delete(captureId));
    return captureId;
  }

  /** Cancels a running capture; false when it already finished. */
  cancel(captureId: string): boolean {
    const ac = this.running.get(captureId);
    if (!ac) return false;
    ac.abort();
    return true;
  }

  /** A recorded capture document (hash-checked by the blob store). */
  document(captureSha256: string): CaptureDocument {
    if (!this.record)
      throw new BaselineError(
        'capture-not-recorded',
        'This program keeps no captures.',
        'Open a data directory (the app, or `--home DIR`).',
      );
    return JSON.parse(this.record.blobs.get(captureSha256).toString('utf8')) as CaptureDocument;
  }

  /** Two recorded captures compared tag by tag (`force`: compare captures of different controllers). */
  diff(beforeSha256: string, afterSha256: string, force: boolean): DocumentDiff {
    return diffDocuments(diffableFromCapture(this.document(beforeSha256)), diffableFromCapture(this.document(afterSha256)), {
      force,
      includeUnchanged: true,
    });
  }

  /** Lists a Logix controller's tags in the device process (browse-to-profile). */
  browse(target: ControllerTarget): Promise<{ tags: { address: string; type: string }[]; skipped: { address: string; reason: string }[] }> {
    return this.devices.run({ kind: 'browse', payload: { target } }, { deadlineMs: 120_000 });
  }

  /** Captures every tag of the profile; never throws for a device fault (the document says what failed). */
  async capture(
    req: CaptureRequest,
    actor: Actor,
    opts: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
  ): Promise<CaptureDocument> {
    return (await this.run(req, actor, opts)).doc;
  }

  /** Captures every tag of the profile and records it: the document and its hash (null when this service records nothing). */
  async captureRecorded(
    req: CaptureRequest,
    actor: Actor,
    opts: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void } = {},
  ): Promise<{ doc: CaptureDocument; captureSha256: string | null }> {
    return this.run(req, actor, opts);
  }

  private async run(
    req: CaptureRequest,
    actor: Actor,
    opts: { signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
  ): Promise<{ doc: CaptureDocument; captureSha256: string | null }> {
    const at = this.clock().toISOString();
    // Canonicalised once: the hash in the document and, when recorded, the stored profile are the same bytes.
    const profileJson = req.canonicalProfile?.json ?? canonicalJson(req.profile as unknown);
    const profileSha = req.canonicalProfile?.sha256 ?? sha256Hex(profileJson);
    const reads = Math.ceil(req.profile.tags.length / 10) + 2;
    const deadlineMs = 30_000 + reads * req.options.timeoutMs * (req.options.retries + 1);
    let result: CaptureJobResult;
    try {
      result = await this.devices.run<CaptureJobResult>(
        { kind: 'capture', payload: { target: req.target, profile: req.profile, options: req.options } },
        { deadlineMs, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) },
      );
    } catch (err) {
      const e = err as { code?: string; message?: string; hint?: string; details?: Record<string, unknown> };
      const failure: ErrorData = {
        code: e.code ?? 'capture-failed',
        message: e.message ?? String(err),
        hint: e.hint ?? 'Retry the capture.',
      };
      result = {
        identity: null,
        requests: 0,
        identityRequests: 0,
        plannedRequests: 0,
        minimumRequests: 0,
        negotiated: {},
        durationMs: 0,
        complete: false,
        failure,
        values: req.profile.tags.map((t) => ({
          tag: t.tag,
          value: null,
          raw: null,
          quality: 'bad' as const,
          error: `not read: ${failure.message}`,
        })),
      };
    }
    const byTag = new Map(result.values.map((v) => [v.tag, v]));
    const values: CaptureDocumentValue[] = req.profile.tags.map((t) => {
      const v = byTag.get(t.tag) ?? { tag: t.tag, value: null, raw: null, quality: 'bad' as const, error: 'not returned by the driver' };
      return {
        ...v,
        address: t.address,
        type: t.type,
        class: t.class,
        safety: t.safety,
        writable: t.writable,
        ...(t.tolerance ? { tolerance: t.tolerance } : {}),
      };
    });
    const good = values.filter((v) => v.quality === 'good').length;
    const doc: CaptureDocument = {
      schema: 'baseline.capture/1',
      controller: { description: describeTarget(req.target), target: req.target },
      identity: result.identity,
      profile: { name: req.profileName, sha256: profileSha, protocol: req.profile.protocol, tags: req.profile.tags.length },
      values,
      complete: good === values.length && result.failure === null,
      failure: result.failure,
      stats: {
        tags: values.length,
        good,
        bad: values.length - good,
        requests: result.requests,
        identityRequests: result.identityRequests,
        plannedRequests: result.plannedRequests,
        minimumRequests: result.minimumRequests,
        durationMs: result.durationMs,
      },
      negotiated: result.negotiated,
      capture: { by: actor, at, workstation: hostname(), appVersion: APP_VERSION },
    };
    return { doc, captureSha256: this.record ? this.recordCapture(doc, req, profileJson, actor) : null };
  }

  private recordCapture(doc: CaptureDocument, req: CaptureRequest, profileJson: string, actor: Actor): string {
    const { journal, blobs } = this.record!;
    const profileBytes = Buffer.from(profileJson);
    const profileSha = blobs.put(profileBytes);
    if (!journal.hasProfile(profileSha)) {
      journal.append(
        'profile.imported',
        { name: req.profileName, protocol: req.profile.protocol, sha256: profileSha, tags: req.profile.tags.length },
        actor,
      );
    }
    const captureSha = blobs.put(Buffer.from(canonicalJson(doc as unknown)));
    journal.append(
      'capture.recorded',
      {
        controllerId: req.controllerId ?? null,
        controller: doc.controller.description,
        protocol: doc.controller.target.protocol,
        profileSha256: profileSha,
        captureSha256: captureSha,
        complete: doc.complete,
        tags: doc.stats.tags,
        good: doc.stats.good,
        bad: doc.stats.bad,
        requests: doc.stats.requests,
        minimumRequests: doc.stats.minimumRequests,
        ...(req.change ? { change: req.change } : {}),
        ...(doc.failure ? { failure: { code: doc.failure.code, message: doc.failure.message } } : {}),
      },
      actor,
    );
    return captureSha;
  }
}
