/**
 * "Capture all controllers of this line": each controller in service on the line captured in turn through the
 * capture service and the device process, each recorded as its own capture. One controller that cannot be reached
 * (or has no profile) is reported and the rest are still captured. A line capture can be cancelled: the capture
 * running is stopped and marked cancelled, the controllers not yet captured are marked cancelled and not read; none
 * of them is ever evidence.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { LineCaptureResult } from '../../src-shared/common/api/line-capture-contract.ts';
import type { ControllerRepository } from '../store/controller-repository.ts';
import type { CaptureService } from './capture-service.ts';
import type { ProfileService } from './profile-service.ts';
import type { EventHub } from './event-hub.ts';

/** Captures every controller of a line. */
export class LineCaptureService {
  private readonly deps: {
    plant: ControllerRepository;
    captures: CaptureService;
    profiles: ProfileService;
    lines: () => { id: string; name: string }[];
    hub: EventHub;
  };
  /** Line captures running now, by line, with what cancels them. */
  private readonly busy = new Map<string, AbortController>();

  constructor(deps: LineCaptureService['deps']) {
    this.deps = deps;
  }

  /** Captures each controller on `lineId`, one after the other; a result per controller, in name order. */
  async captureLine(lineId: string, actor: Actor): Promise<LineCaptureResult> {
    const line = this.deps.lines().find((l) => l.id === lineId);
    if (!line)
      throw new BaselineError(
        'line-unknown',
        `There is no line ${lineId} in the plant model.`,
        "Pick one of the plant's lines on the Controllers screen.",
      );
    const controllers = this.deps.plant.controllersOnLine(lineId);
    if (controllers.length === 0)
      throw new BaselineError(
        'line-no-controllers',
        `No controller is on line ${lineId} ${line.name}.`,
        'Put controllers on the line (Plant screen) first.',
      );
    if (this.busy.has(lineId))
      throw new BaselineError(
        'line-capture-running',
        `Line ${lineId} is being captured already.`,
        'Wait for it to finish; its results appear on the Controllers screen.',
      );
    const ac = new AbortController();
    this.busy.set(lineId, ac);
    try {
      const results: LineCaptureResult['results'] = [];
      for (const [i, c] of controllers.entries()) {
        if (ac.signal.aborted) {
          results.push({
            controllerId: c.id,
            name: c.name,
            status: 'cancelled',
            captureSha256: null,
            tags: 0,
            good: 0,
            message: 'Not captured: the line capture was cancelled before it reached this controller.',
          });
          continue;
        }
        if (!c.profileSha256) {
          results.push({
            controllerId: c.id,
            name: c.name,
            status: 'no-profile',
            captureSha256: null,
            tags: 0,
            good: 0,
            message: `${c.name} has no capture profile, so Baseline does not know what to read; give it one.`,
          });
          continue;
        }
        const captureId = `line-${lineId}-${i}-${Date.now()}`;
        try {
          const profile = this.deps.profiles.load(c.profileSha256);
          const { doc, captureSha256 } = await this.deps.captures.captureRecorded(
            {
              controllerId: c.id,
              target: c.target,
              profile,
              profileName: this.deps.plant.profile(c.profileSha256)?.name ?? '',
              options: { timeoutMs: 2000, retries: 1 },
            },
            actor,
            { signal: ac.signal, onProgress: (p) => this.deps.hub.emit('capture.progress', { captureId, controllerId: c.id, ...p }) },
          );
          this.deps.hub.emit('capture.finished', {
            captureId,
            controllerId: c.id,
            captureSha256,
            complete: doc.complete,
            tags: doc.stats.tags,
            good: doc.stats.good,
            bad: doc.stats.bad,
            failure: doc.failure,
          });
          const cancelled = !doc.complete && ac.signal.aborted;
          results.push({
            controllerId: c.id,
            name: c.name,
            status: doc.complete ? 'captured' : cancelled ? 'cancelled' : 'incomplete',
            captureSha256,
            tags: doc.stats.tags,
            good: doc.stats.good,
            message: doc.complete
              ? `${doc.stats.good} of ${doc.stats.tags} tags read`
              : cancelled
                ? `Cancelled mid-way (${doc.stats.good} of ${doc.stats.tags} tags read): kept as a cancelled capture, never evidence.`
                : doc.failure
                  ? `${doc.failure.message} ${doc.failure.hint}`
                  : `${doc.stats.bad} of ${doc.stats.tags} tags have no good value`,
          });
        } catch (err) {
          const e = err as { message?: string; hint?: string };
          results.push({
            controllerId: c.id,
            name: c.name,
            status: 'failed',
            captureSha256: null,
            tags: 0,
            good: 0,
            message: `${e.message ?? String(err)}${e.hint ? ` ${e.hint}` : ''}`,
          });
        }
      }
      return { lineId, line: line.name, results };
    } finally {
      this.busy.delete(lineId);
    }
  }

  /** Cancels the capture of a line (false when none is running). */
  cancel(lineId: string): boolean {
    const ac = this.busy.get(lineId);
    if (!ac) return false;
    ac.abort();
    return true;
  }
}
