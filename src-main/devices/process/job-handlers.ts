/**
 * The jobs the device process runs, by name. Each takes plain data and returns plain data; drivers are
 * opened and closed inside the job so a failure never leaves a half-open connection behind.
 */
import { z } from 'zod';
import type { JobContext, JobHandler } from './device-messages.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { CaptureOptionsSchema, ControllerTargetSchema, profileProtocolOf } from '../../../src-shared/common/capture/controller-target.ts';
import type { CaptureProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { captureModbus } from '../modbus/modbus-capture.ts';
import { captureS7 } from '../s7/s7-capture.ts';
import { restore } from '../restore-job.ts';
import { captureLogix } from '../logix/logix-capture.ts';
import { browseLogix } from '../logix/logix-browse.ts';

const CaptureJobSchema = z.object({
  target: ControllerTargetSchema,
  // The profile was parsed and validated in the main process (profile CSV import); it crosses as data.
  profile: z.object({ protocol: z.enum(['modbus', 's7', 'logix']), tags: z.array(z.object({ tag: z.string() }).passthrough()) }).passthrough(),
  options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }),
});

async function capture(payload: unknown, ctx: JobContext): Promise<unknown> {
  const job = CaptureJobSchema.parse(payload);
  const profile = job.profile as unknown as CaptureProfile;
  const protocol = profileProtocolOf(job.target);
  if (profile.protocol !== protocol) {
    throw new BaselineError('profile-protocol-mismatch', `The profile is for ${profile.protocol} but the controller speaks ${job.target.protocol}.`,
      'Choose a profile made for this controller\'s protocol.');
  }
  switch (job.target.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return captureModbus(job.target, profile as Extract<CaptureProfile, { protocol: 'modbus' }>, job.options, ctx);
    case 's7':
      return captureS7(job.target, profile as Extract<CaptureProfile, { protocol: 's7' }>, job.options, ctx);
    case 'logix':
      return captureLogix(job.target, profile as Extract<CaptureProfile, { protocol: 'logix' }>, job.options, ctx);
  }
}

const BrowseJobSchema = z.object({ target: ControllerTargetSchema, options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }) });

async function browse(payload: unknown, ctx: JobContext): Promise<unknown> {
  const job = BrowseJobSchema.parse(payload);
  if (job.target.protocol !== 'logix') {
    throw new BaselineError('browse-not-supported', `Browsing tags is only possible on Logix controllers; ${job.target.protocol} controllers have no tag names to browse.`,
      'Write the profile CSV from the controller\'s register map or symbol table.');
  }
  return browseLogix(job.target, job.options, ctx);
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
