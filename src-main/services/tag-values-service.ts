/**
 * The tags a proposed change can pick from: the controller's capture profile, each with its value in the latest
 * signed snapshot of the controller (the "from" of a proposed diff), when there is one that verifies.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { CurrentValues } from '../../src-shared/common/api/tag-values-contract.ts';
import type { ControllerRepository } from '../store/controller-repository.ts';
import type { ProfileService } from './profile-service.ts';
import type { SnapshotService } from './snapshot-service.ts';
import type { BaselineService } from './baseline-service.ts';

/** Reads a controller's profile tags with their current values. */
export class TagValuesService {
  private readonly deps: { plant: ControllerRepository; profiles: ProfileService; snapshots: SnapshotService; baselines: BaselineService };

  constructor(deps: TagValuesService['deps']) {
    this.deps = deps;
  }

  /** The controller's profile tags, with values from its latest signed snapshot that verifies (none: values null). */
  currentValues(controllerId: string): CurrentValues {
    const c = this.deps.plant.controller(controllerId);
    if (!c)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${controllerId} is registered on this laptop.`,
        'Pick a controller from the list.',
      );
    if (!c.profileSha256)
      throw new BaselineError(
        'controller-no-profile',
        `${c.name} has no capture profile, so there are no tags to pick.`,
        'Give the controller a profile on the Controllers screen, or write a work instruction instead.',
      );
    const profile = this.deps.profiles.load(c.profileSha256);
    let source: CurrentValues['source'] = null;
    const values = new Map<string, CaptureDocument['values'][number]>();
    for (const s of this.deps.snapshots.list(controllerId)) {
      try {
        const doc = this.deps.baselines.verifiedSnapshot(s.sha256).file.document as unknown as CaptureDocument;
        for (const v of doc.values) values.set(v.tag, v);
        source = { snapshotSha256: s.sha256, signer: s.signer, at: s.at };
        break;
      } catch {
        // A snapshot that no longer verifies is not the controller's state: the next older one is tried.
      }
    }
    return {
      controllerId,
      controller: c.name,
      source,
      tags: profile.tags.map((t) => {
        const v = values.get(t.tag);
        return {
          tag: t.tag,
          address: t.address,
          type: t.type,
          safety: t.safety,
          writable: t.writable,
          description: t.description ?? '',
          value: v && v.quality === 'good' ? v.value : null,
        };
      }),
    };
  }
}
