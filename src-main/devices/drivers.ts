/** The driver of each controller protocol (driver.ts): the one place a target's protocol picks its code. */
import type { ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import type { Driver } from './driver.ts';
import { logixDriver } from './logix/logix-driver.ts';
import { modbusDriver } from './modbus/modbus-driver.ts';
import { s7Driver } from './s7/s7-driver.ts';

/** The driver that speaks the target's protocol. */
export function driverFor(target: ControllerTarget): Driver {
  switch (target.protocol) {
    case 'modbus-tcp':
    case 'modbus-rtu':
      return modbusDriver as unknown as Driver;
    case 's7':
      return s7Driver as unknown as Driver;
    case 'logix':
      return logixDriver as unknown as Driver;
  }
}
