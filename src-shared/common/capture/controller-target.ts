/**
 * How to reach a controller: protocol and connection settings, as the UI, the CLI and the capture profile's
 * controller record give them. Validated with zod at every boundary (the main process can touch equipment).
 */
import * as z from 'zod';

const Host = z.string().min(1).max(253);
const Port = z.number().int().min(1).max(65535);

/** Connection settings of one controller. */
export const ControllerTargetSchema = z.discriminatedUnion('protocol', [
  z
    .object({
      protocol: z.literal('modbus-tcp'),
      host: Host,
      port: Port.default(502),
      unitId: z.number().int().min(0).max(255).default(1),
      wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
    })
    .strict(),
  z
    .object({
      protocol: z.literal('modbus-rtu'),
      serialPath: z.string().min(1),
      baudRate: z.number().int().positive().default(19200),
      unitId: z.number().int().min(1).max(247).default(1),
      wordOrder: z.enum(['high-first', 'low-first']).default('high-first'),
    })
    .strict(),
  z
    .object({
      protocol: z.literal('s7'),
      host: Host,
      port: Port.default(102),
      rack: z.number().int().min(0).max(7).default(0),
      slot: z.number().int().min(0).max(31).default(1),
    })
    .strict(),
  z
    .object({ protocol: z.literal('logix'), host: Host, port: Port.default(44818), slot: z.number().int().min(0).max(31).default(0) })
    .strict(),
]);

/** Connection settings of one controller (defaults filled in). */
export type ControllerTarget = z.output<typeof ControllerTargetSchema>;

/** How patient a capture is with the controller. */
export const CaptureOptionsSchema = z
  .object({
    timeoutMs: z.number().int().min(50).max(60_000).default(2000),
    retries: z.number().int().min(0).max(5).default(2),
  })
  .strict();

/** Capture patience settings (defaults filled in). */
export type CaptureOptions = z.output<typeof CaptureOptionsSchema>;

/** The profile protocol a target speaks. */
export function profileProtocolOf(target: ControllerTarget): 'modbus' | 's7' | 'logix' {
  return target.protocol === 'modbus-tcp' || target.protocol === 'modbus-rtu' ? 'modbus' : target.protocol;
}

/** A short human description: "Modbus TCP 10.0.0.5:502 unit 1". */
export function describeTarget(t: ControllerTarget): string {
  switch (t.protocol) {
    case 'modbus-tcp':
      return `Modbus TCP ${t.host}:${t.port} unit ${t.unitId}`;
    case 'modbus-rtu':
      return `Modbus RTU ${t.serialPath} @${t.baudRate} unit ${t.unitId}`;
    case 's7':
      return `S7 ${t.host}:${t.port} rack ${t.rack} slot ${t.slot}`;
    case 'logix':
      return `Logix ${t.host}:${t.port} slot ${t.slot}`;
  }
}
