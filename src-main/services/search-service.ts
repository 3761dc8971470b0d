/**
 * The global search of the app header: changes (by CR number or title), controllers (by name, address or line), tags
 * (from the capture profiles of the controllers in service) and people (roster and enrolled). Each hit says which
 * screen shows it. Profiles are immutable (named by their SHA-256), so their tag names are read once and kept.
 */
import type { CaptureProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { describeTarget, ControllerTargetSchema } from '../../src-shared/common/capture/controller-target.ts';
import type { SearchResults } from '../../src-shared/common/api/search-contract.ts';
import type { SearchRepository } from '../store/search-repository.ts';

/** At most this many hits of each kind. */
const PER_KIND = 8;

/** Searches everything a plant engineer looks for. */
export class SearchService {
  private readonly deps: { repo: SearchRepository; loadProfile: (sha256: string) => CaptureProfile };
  private readonly tagNames = new Map<string, { tag: string; lower: string; address: string }[]>();

  constructor(deps: SearchService['deps']) {
    this.deps = deps;
  }

  /** Every kind of hit for `query` (at least 2 characters, else nothing). */
  search(query: string): SearchResults {
    const needle = query.trim().toLowerCase();
    if (needle.length < 2) return { query, changes: [], controllers: [], tags: [], people: [], moreTags: 0 };
    const { repo } = this.deps;
    const tags: SearchResults['tags'] = [];
    let moreTags = 0;
    for (const c of repo.profiledControllers()) {
      for (const t of this.tagsOf(c.profileSha256)) {
        if (!t.lower.includes(needle)) continue;
        if (tags.length < PER_KIND * 2) tags.push({ controllerId: c.id, controller: c.name, tag: t.tag, address: t.address });
        else moreTags++;
      }
    }
    return {
      query,
      changes: repo
        .changes(needle, PER_KIND)
        .map((c) => ({ id: c.id, number: c.number ?? `#${c.id.slice(0, 8)}`, title: c.title, status: c.status })),
      controllers: repo.controllers(needle, PER_KIND).map((c) => {
        const target = ControllerTargetSchema.safeParse(JSON.parse(c.target));
        return { id: c.id, name: c.name, description: target.success ? describeTarget(target.data) : '', lineId: c.lineId };
      }),
      tags,
      moreTags,
      people: repo.people(needle, PER_KIND),
    };
  }

  private tagsOf(sha256: string): { tag: string; lower: string; address: string }[] {
    let tags = this.tagNames.get(sha256);
    if (!tags) {
      tags = this.deps.loadProfile(sha256).tags.map((t) => ({ tag: t.tag, lower: t.tag.toLowerCase(), address: t.address }));
      this.tagNames.set(sha256, tags);
    }
    return tags;
  }
}
