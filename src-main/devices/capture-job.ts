/**
 * A capture, for any protocol: open a session with the protocol's driver, read the controller's identity, read
 * every profile tag by the protocol's plan, close. Device faults become bad tags and the result's `failure`;
 * only a controller that cannot be reached at all fails the job. Nothing is written here.
 */
import * as z from 'zod';
import {
  CaptureOptionsSchema,
  ControllerTargetSchema,
  type CaptureOptions,
  type ControllerTarget,
} from '../../src-shared/common/capture/controller-target.ts';
import type { CaptureJobResult } from '../../src-shared/common/capture/capture-result.ts';
import type { CaptureProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { toErrorData } from '../../src-shared/common/errors.ts';
import type { JobContext } from './process/device-messages.ts';
import type { Driver } from './driver.ts';

export const CaptureJobSchema = z.object({
  target: ControllerTargetSchema,
  // The profile was parsed and validated in the main process (profile CSV import); it crosses as data.
  profile: z
    .object({ protocol: z.enum(['modbus', 's7', 'logix']), tags: z.array(z.object({ tag: z.string() }).passthrough()) })
    .passthrough(),
  options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }),
});

/** Runs a capture with the driver of the target's protocol (the caller checked the profile is for it). */
export async function captureJob(
  driver: Driver,
  target: ControllerTarget,
  profile: CaptureProfile,
  options: CaptureOptions,
  ctx: JobContext,
): Promise<CaptureJobResult> {
  const started = performance.now();
  const session = await driver.connect({ target, options, signal: ctx.signal, tags: profile.tags, identity: true, tagList: false });
  try {
    const id = await session.identity();
    const read = await session.readPlan(profile, ctx);
    return {
      identity: id.identity,
      values: read.values,
      requests: read.requests,
      identityRequests: id.requests,
      plannedRequests: read.plannedRequests,
      minimumRequests: read.minimumRequests,
      negotiated: read.negotiated,
      durationMs: Math.round(performance.now() - started),
      complete: read.values.every((v) => v.quality === 'good'),
      failure: read.failure ? toErrorData(read.failure) : null,
    };
  } finally {
    await session.close();
  }
}
