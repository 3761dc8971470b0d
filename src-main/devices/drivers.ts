/**
 * The driver of each controller protocol (driver.ts): the one place a target's protocol picks its code. Each
 * driver (and its protocol library: modbus-serial, nodes7, st-ethernet-ip) is loaded the first time a job needs
 * it, so a Modbus capture never loads the S7 or Logix libraries.
 */
import type { ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import type { Driver } from './driver.ts';

/** The driver that speaks the target's protocol (loaded on first use). */
export async function driverFor(target: ControllerTarget): Promise<Driver> {
  switch (target.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return (await import('./modbus/modbus-driver.ts')).modbusDriver as unknown as Driver;
    case 's7':
      return (await import('./s7/s7-driver.ts')).s7Driver as unknown as Driver;
    case 'logix':
      return (await import('./logix/logix-driver.ts')).logixDriver as unknown as Driver;
  }
}
