/**
 * The jobs the device process runs, by name. Each takes plain data and returns plain data; the target's protocol
 * picks the driver (drivers.ts) the job runs with, and sessions are opened and closed inside the job so a failure
 * never leaves a half-open connection behind.
 */
import type * as z from 'zod';
import type { JobContext, JobHandler } from './device-messages.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { profileProtocolOf } from '../../../src-shared/common/capture/controller-target.ts';
import type { CaptureProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { driverFor } from '../drivers.ts';
import { CaptureJobSchema, captureJob } from '../capture-job.ts';
import { BrowseJobSchema, browseJob } from '../browse-job.ts';
import { RestoreJobSchema, restoreJob } from '../restore-job.ts';

async function capture(payload: unknown, ctx: JobContext): Promise<unknown> {
  // From another process the job is checked here; in this one it is the capture service's typed request, its
  // profile checked row by row when the file was read (checking 10,000 tags again costs about 50 ms).
  const job = ctx.sameProcess ? (payload as z.output<typeof CaptureJobSchema>) : CaptureJobSchema.parse(payload);
  const profile = job.profile as unknown as CaptureProfile;
  if (profile.protocol !== profileProtocolOf(job.target)) {
    throw new BaselineError(
      'profile-protocol-mismatch',
      `The profile is for ${profile.protocol} but the controller speaks ${job.target.protocol}.`,
      "Choose a profile made for this controller's protocol.",
    );
  }
  return captureJob(await driverFor(job.target), job.target, profile, job.options, ctx);
}

async function browse(payload: unknown, ctx: JobContext): Promise<unknown> {
  const job = BrowseJobSchema.parse(payload);
  return browseJob(await driverFor(job.target), job.target, job.options, ctx);
}

async function restore(payload: unknown, ctx: JobContext): Promise<unknown> {
  const job = RestoreJobSchema.parse(payload);
  return restoreJob(await driverFor(job.target), job, ctx);
}

/** Every job by name. */
export const JOB_HANDLERS: Record<string, JobHandler> = {
  /** Liveness check: answers with the process id. */
  ping: async () => ({ pid: process.pid }),
  /** Reads every tag of a profile from a controller. */
  capture,
  /** Writes values of writable tags, reading each back (restore only; the caller checked the signed decision). */
  restore,
  /** Lists a Logix controller's tags as proposed profile rows. */
  browse,
};
