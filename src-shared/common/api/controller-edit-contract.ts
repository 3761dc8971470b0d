/**
 * Editing and retiring controllers (one file per domain; spread into OPERATIONS by contract.ts). Both are signed by
 * plant engineering with a reason.
 */
import * as z from 'zod';
import { ControllerTargetSchema } from '../capture/controller-target.ts';

const Password = z.string().min(1).max(1024);
const Signed = { reason: z.string().max(2000), employeeId: z.string().min(1, 'choose who signs'), password: Password };

/** Controller edit and retirement operations. */
export const CONTROLLER_EDIT_OPERATIONS = {
  /** Corrects a controller's name, address or capture profile (fields left out keep their value). */
  'controllers.edit': {
    request: z
      .object({
        controllerId: z.string().min(1),
        name: z.string().max(120).optional(),
        target: ControllerTargetSchema.optional(),
        profileSha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .nullable()
          .optional(),
        ...Signed,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  /** Retires a controller (refused while an open change targets it); its history stays. */
  'controllers.retire': {
    request: z.object({ controllerId: z.string().min(1), ...Signed }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
} as const;
