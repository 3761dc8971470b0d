/** Capture profiles: import from CSV (every problem named by line and column), store, list. */
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { OperationResponse, ProfileView } from '../../src-shared/common/api/contract.ts';
import type { CaptureProfile, ProfileProtocol } from '../../src-shared/common/profile/capture-profile.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { ControllerRepository } from '../store/controller-repository.ts';

/** Imports and reads capture profiles. */
export class ProfileService {
  private readonly journal: JournalRepository;
  private readonly blobs: BlobStore;
  private readonly records: ControllerRepository;

  constructor(journal: JournalRepository, blobs: BlobStore, records: ControllerRepository) {
    this.journal = journal;
    this.blobs = blobs;
    this.records = records;
  }

  /** Validates a CSV profile and stores it (idempotent: the same content is one profile). */
  import(name: string, protocol: ProfileProtocol, csv: string, actor: Actor): ProfileView {
    const profile = importProfileCsv(csv, protocol);
    const sha256 = this.blobs.put(Buffer.from(canonicalJson(profile as unknown)));
    if (!this.journal.hasProfile(sha256)) {
      this.journal.append('profile.imported', { name, protocol, sha256, tags: profile.tags.length }, actor);
    }
    return this.records.profile(sha256)!;
  }

  /** Every stored profile. */
  list(): ProfileView[] {
    return this.records.profiles();
  }

  /** A stored profile with its tags, as the profile editor shows it. */
  view(sha256: string): OperationResponse<'profiles.get'> {
    const row = this.records.profile(sha256);
    const profile = this.load(sha256);
    return {
      sha256,
      name: row?.name ?? '',
      protocol: profile.protocol,
      tags: profile.tags.map((t) => ({
        tag: t.tag,
        address: t.address,
        type: t.type,
        class: t.class,
        safety: t.safety,
        writable: t.writable,
        description: t.description,
        ...(t.tolerance ? { tolerance: t.tolerance } : {}),
      })),
    };
  }

  /** A stored profile's content (hash-checked by the blob store). */
  load(sha256: string): CaptureProfile {
    if (!this.records.profile(sha256)) {
      throw new BaselineError(
        'profile-unknown',
        `No capture profile ${sha256.slice(0, 12)}… is stored on this laptop.`,
        'Import the profile first.',
      );
    }
    return JSON.parse(this.blobs.get(sha256).toString('utf8')) as CaptureProfile;
  }
}
