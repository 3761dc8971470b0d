/**
 * Capture profiles (ARCHITECTURE §5): which tags of one controller a capture reads, at which addresses, with
 * which types, and how each is flagged (config or live, safety, writable). Profiles are data: imported from CSV
 * (profile-csv.ts), edited in the UI, versioned as journal events; this module owns their shape.
 */
import { assertNever } from '../assert-never.ts';
import type { AddressResult } from './address-result.ts';
import { parseLogixAddress, type LogixAddress } from './logix-address.ts';
import { parseModbusAddress, type ModbusAddress } from './modbus-address.ts';
import { parseS7Address, type S7Address } from './s7-address.ts';

/** The controller protocol family a profile addresses. */
export type ProfileProtocol = 'modbus' | 's7' | 'logix';

/** Every profile protocol. */
export const PROFILE_PROTOCOLS: readonly ProfileProtocol[] = ['modbus', 's7', 'logix'];

/** `config` values should not change in normal operation (drift matters); `live` values change all the time. */
export type TagClass = 'config' | 'live';

/**
 * How far a live value may move between a change's before- and after-snapshot (its deadband; rules in
 * diff/live-tolerance.ts): an absolute band in the tag's units, a band in percent of the before value, or both.
 */
export interface LiveTolerance {
  /** In the tag's own units. */
  absolute?: number;
  /** In percent of the before value's magnitude. */
  percent?: number;
}

/** A parsed address of any protocol. */
export type ControllerAddress = ModbusAddress | S7Address | LogixAddress;

/** One tag of a profile: its name, its address as written and parsed, and its flags. */
export interface ProfileTag<A extends ControllerAddress = ControllerAddress> {
  /** The tag's name in Baseline: the key of snapshot values and diffs; unique within the profile. */
  tag: string;
  /** The address exactly as the user wrote it (trimmed). */
  address: string;
  /** The value type, upper-case (one of the protocol's types). */
  type: A['type'];
  class: TagClass;
  /** A safety-related value: touching it escalates a change to CAB (ARCHITECTURE §6). */
  safety: boolean;
  /** A restore may write this value back. */
  writable: boolean;
  description: string;
  /** A live tag's declared tolerance (absent: none declared; never on a config tag). */
  tolerance?: LiveTolerance;
  /** The parsed address. */
  location: A;
}

/** A Modbus capture profile. */
export interface ModbusProfile {
  protocol: 'modbus';
  tags: ProfileTag<ModbusAddress>[];
}

/** An S7 capture profile. */
export interface S7Profile {
  protocol: 's7';
  tags: ProfileTag<S7Address>[];
}

/** A Logix (EtherNet/IP) capture profile. */
export interface LogixProfile {
  protocol: 'logix';
  tags: ProfileTag<LogixAddress>[];
}

/** A capture profile of any protocol. */
export type CaptureProfile = ModbusProfile | S7Profile | LogixProfile;

/** Parses an address/type pair for a protocol; the result names the column of each problem. */
export function parseAddress(protocol: ProfileProtocol, address: string, type: string): AddressResult<ControllerAddress> {
  switch (protocol) {
    case 'modbus':
      return parseModbusAddress(address, type);
    case 's7':
      return parseS7Address(address, type);
    case 'logix':
      return parseLogixAddress(address, type);
    default:
      return assertNever(protocol, 'protocol');
  }
}
