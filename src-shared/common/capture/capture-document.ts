/**
 * The capture document (`baseline.capture/1`, docs/formats.md): what was read from a controller, how, by whom,
 * and whether it is complete. The snapshot of issue #4 wraps and signs it.
 */
import type { CapturedValue } from './capture-result.ts';
import type { ControllerTarget } from './controller-target.ts';
import type { ErrorData } from '../errors.ts';
import type { Actor } from '../journal-event.ts';
import type { LiveTolerance } from '../profile/capture-profile.ts';

/** One tag of a capture document: the profile's facts about it and what was read. */
export interface CaptureDocumentValue extends CapturedValue {
  address: string;
  type: string;
  class: 'config' | 'live';
  safety: boolean;
  writable: boolean;
  /** A live tag's declared tolerance, from the profile (absent: none declared). */
  tolerance?: LiveTolerance;
}

/** A capture document (`baseline.capture/1`). */
export interface CaptureDocument {
  schema: 'baseline.capture/1';
  controller: { description: string; target: ControllerTarget };
  identity: Record<string, string> | null;
  profile: { name: string; sha256: string; protocol: string; tags: number };
  values: CaptureDocumentValue[];
  /** Every tag read good. An incomplete capture can never be used as evidence. */
  complete: boolean;
  failure: ErrorData | null;
  stats: {
    tags: number;
    good: number;
    bad: number;
    requests: number;
    identityRequests: number;
    plannedRequests: number;
    minimumRequests: number;
    durationMs: number;
  };
  negotiated: Record<string, number>;
  capture: { by: Actor; at: string; workstation: string; appVersion: string };
}
