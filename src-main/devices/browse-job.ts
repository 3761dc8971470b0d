/** Browse-to-profile, for drivers whose controllers have tag names (Logix): the tag list as proposed profile rows. */
import * as z from 'zod';
import {
  CaptureOptionsSchema,
  ControllerTargetSchema,
  type CaptureOptions,
  type ControllerTarget,
} from '../../src-shared/common/capture/controller-target.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { JobContext } from './process/device-messages.ts';
import type { BrowseResult, Driver } from './driver.ts';

export const BrowseJobSchema = z.object({
  target: ControllerTargetSchema,
  options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }),
});

/** Lists the controller's tags with the driver of its protocol. */
export async function browseJob(driver: Driver, target: ControllerTarget, options: CaptureOptions, ctx: JobContext): Promise<BrowseResult> {
  if (!driver.browses) {
    throw new BaselineError(
      'browse-not-supported',
      `Browsing tags is only possible on Logix controllers; ${target.protocol} controllers have no tag names to browse.`,
      "Write the profile CSV from the controller's register map or symbol table.",
    );
  }
  const session = await driver.connect({ target, options, signal: ctx.signal, tags: [], identity: false, tagList: true });
  try {
    if (!session.browse)
      throw new BaselineError('browse-not-supported', `The ${driver.protocol} driver cannot browse tags.`, 'This is a defect; report it.');
    return await session.browse(ctx);
  } finally {
    await session.close();
  }
}
