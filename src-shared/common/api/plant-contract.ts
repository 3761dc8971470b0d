/**
 * The API contract's plant part (one file per domain; contract.ts joins them into OPERATIONS).
 * The plant model: sites, lines, where each controller sits, safety systems, and the lines' window calendar.
 */
import * as z from 'zod';
import type { LineCalendar } from '../workflow/change-windows.ts';
import { Empty, Password, TEXT_FILE_MAX_CHARS } from './contract-primitives.ts';

/** The plant operations: name -> request and response schemas. */
export const PLANT_OPERATIONS = {
  'plant.get': {
    request: Empty,
    response: z.object({
      sites: z.array(z.object({ id: z.string(), name: z.string() })),
      lines: z.array(z.object({ id: z.string(), name: z.string(), tier: z.number(), site: z.string() })),
      controllerLines: z.record(z.string(), z.string()),
      safetyControllers: z.array(z.string()),
    }),
  },
  'plant.import': {
    request: z
      .object({
        text: z.string().max(TEXT_FILE_MAX_CHARS),
        source: z.string().min(1).max(200),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ sites: z.number(), lines: z.number() }),
  },
  'plant.setSite': {
    request: z
      .object({
        site: z.object({ id: z.string(), name: z.string() }).strict(),
        reason: z.string().max(2000),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'plant.setLine': {
    request: z
      .object({
        line: z.object({ id: z.string(), name: z.string(), tier: z.number().int(), site: z.string() }).strict(),
        reason: z.string().max(2000),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'plant.removeLine': {
    request: z
      .object({ lineId: z.string().min(1), reason: z.string().max(2000), employeeId: z.string().min(1), password: Password })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'controllers.setSafety': {
    request: z
      .object({
        controllerId: z.string().min(1),
        safety: z.boolean(),
        reason: z.string().max(2000),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'controllers.assignLine': {
    request: z
      .object({
        controllerId: z.string().min(1),
        lineId: z.string().min(1),
        reason: z.string().max(2000),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'windows.calendar': {
    request: z.object({ from: z.string().datetime(), days: z.number().int().min(1).max(62).default(7) }).strict(),
    response: z.object({ timeZone: z.string(), lines: z.custom<LineCalendar[]>() }),
  },
} as const;
