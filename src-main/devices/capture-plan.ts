/**
 * The capture planner's entry point (ARCHITECTURE §5): turns a capture profile and the controller's negotiated
 * sizes into the list of read requests a driver sends, with the request count and its proven lower bound that
 * every snapshot reports. Pure: no sockets here; drivers in src-main/devices execute the plan.
 */
import { assertNever } from '../../src-shared/common/assert-never.ts';
import type { CaptureProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { planLogix, type LogixLimits, type LogixPlan } from './logix/logix-plan.ts';
import { planModbus, type ModbusLimits, type ModbusPlan } from './modbus/modbus-plan.ts';
import { planS7, type S7Limits, type S7Plan } from './s7/s7-plan.ts';

/** A plan for any protocol. */
export type CapturePlan = ModbusPlan | S7Plan | LogixPlan;

/** Per-protocol limits; anything left out takes the protocol's default. */
export interface CapturePlanLimits {
  modbus?: Partial<ModbusLimits>;
  s7?: Partial<S7Limits>;
  logix?: Partial<LogixLimits>;
}

/** Plans the reads for a whole profile with the limits of its protocol. */
export function planCapture(profile: CaptureProfile, limits: CapturePlanLimits = {}): CapturePlan {
  switch (profile.protocol) {
    case 'modbus':
      return planModbus(profile.tags, limits.modbus);
    case 's7':
      return planS7(profile.tags, limits.s7);
    case 'logix':
      return planLogix(profile.tags, limits.logix);
    default:
      return assertNever(profile, 'profile protocol');
  }
}
