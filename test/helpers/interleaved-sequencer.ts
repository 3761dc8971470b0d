/**
 * The order vitest starts test files in: browser files (e2e) woven between the others, so that of the two files
 * running at a time, one is usually a browser walk and the other a unit or integration file.
 *
 * Vitest's own order runs projects one after another (all of e2e first, by name), so the run would open with two
 * Chromium walks at once, each with its web host, fighting for the two cores while their polls count down. Within
 * each kind the order stays vitest's (longest first when the last run's times are known, else largest file first);
 * the two lists are merged by their estimated time so both stay busy to the end.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds a file takes when vitest has no time for it from an earlier run (the suite's means on 2 cores). */
const GUESS: Record<string, number> = { e2e: 15, integration: 7, unit: 0.5 };

export default class InterleavedSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const seconds = (spec: TestSpecification) => {
      const known = this.ctx.cache.getTestSpecificationResult(spec)?.duration;
      return known !== undefined ? known / 1000 : (GUESS[spec.project.name] ?? 1);
    };
    const browser = sorted.filter((s) => s.project.name === 'e2e');
    const rest = sorted.filter((s) => s.project.name !== 'e2e');
    const out: TestSpecification[] = [];
    let browserTime = 0;
    let restTime = 0;
    while (browser.length > 0 || rest.length > 0) {
      if (rest.length === 0 || (browser.length > 0 && browserTime <= restTime)) {
        const next = browser.shift()!;
        browserTime += seconds(next);
        out.push(next);
      } else {
        const next = rest.shift()!;
        restTime += seconds(next);
        out.push(next);
      }
    }
    return out;
  }
}
