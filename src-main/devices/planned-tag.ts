/**
 * What the capture planners share: the tag they plan for (a profile tag's name and parsed address) and the
 * summary every plan reports, which a snapshot records as `requests` and `minimumRequests` (ARCHITECTURE §4, §5).
 */
import { BaselineError } from '../../src-shared/common/errors.ts';

/** The part of a profile tag a planner needs: its name and its parsed address. */
export interface PlannedTag<A> {
  tag: string;
  location: A;
}

/** Request counts every plan reports. */
export interface PlanSummary {
  /** Read requests the plan sends. */
  requests: number;
  /** A proven lower bound on the requests any plan within the same limits needs (the theoretical minimum). */
  minimumRequests: number;
  /** True when `requests` equals `minimumRequests`, i.e. the plan is proven optimal; false says "not proven", not "not optimal". */
  provenOptimal: boolean;
}

/** Checks that a limit is a whole number in range; throws a BaselineError naming it otherwise. */
export function checkLimit(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BaselineError(
      'capture-plan-limits',
      `The capture limit ${name} is ${value}; it must be a whole number from ${min} to ${max}.`,
      "Correct the controller's connection settings (or leave the limit at its default) and plan again.",
      { name, value, min, max },
    );
  }
  return value;
}

/** Throws when two planned tags share a name: a plan maps values back to tags by name. */
export function checkUniqueTags(tags: readonly PlannedTag<unknown>[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.tag)) {
      throw new BaselineError(
        'capture-plan-duplicate-tag',
        `Tag "${t.tag}" appears twice in the capture.`,
        'Give every tag in the profile its own name.',
        { tag: t.tag },
      );
    }
    seen.add(t.tag);
  }
}
