/**
 * CIP status codes and the two errors of the simulated Logix controller's layers (pycomm3 style: one error per
 * layer): `EnipFrameError` for the encapsulation layer (answered with an encapsulation status) and
 * `CipStatusError` for the CIP layer (answered with a general status and extended status words).
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';

/** CIP general status codes used by the simulator (CIP Vol 1 Appendix B, Table B-1.1; 0xFF is Logix-specific). */
export const CipGeneralStatus = {
  Success: 0x00,
  ConnectionFailure: 0x01,
  ResourceUnavailable: 0x02,
  InvalidParameterValue: 0x03,
  PathSegmentError: 0x04,
  PathDestinationUnknown: 0x05,
  PartialTransfer: 0x06,
  ServiceNotSupported: 0x08,
  AttributeListError: 0x0a,
  AttributeNotSettable: 0x0e,
  PrivilegeViolation: 0x0f,
  ReplyDataTooLarge: 0x11,
  NotEnoughData: 0x13,
  AttributeNotSupported: 0x14,
  TooMuchData: 0x15,
  ObjectDoesNotExist: 0x16,
  EmbeddedServiceError: 0x1e,
  InvalidParameter: 0x20,
  PathSizeInvalid: 0x26,
  GeneralError: 0xff,
} as const;

/** Names of the general status codes, for messages (CIP Vol 1 Table B-1.1; 0xFF from Logix 1756-PM020). */
export const CIP_GENERAL_STATUS_NAMES: Readonly<Record<number, string>> = {
  0x00: 'Success',
  0x01: 'Connection failure',
  0x02: 'Resource unavailable',
  0x03: 'Invalid parameter value',
  0x04: 'Path segment error',
  0x05: 'Path destination unknown',
  0x06: 'Partial transfer',
  0x07: 'Connection lost',
  0x08: 'Service not supported',
  0x09: 'Invalid attribute value',
  0x0a: 'Attribute list error',
  0x0b: 'Already in requested mode/state',
  0x0c: 'Object state conflict',
  0x0d: 'Object already exists',
  0x0e: 'Attribute not settable',
  0x0f: 'Privilege violation',
  0x10: 'Device state conflict',
  0x11: 'Reply data too large',
  0x12: 'Fragmentation of a primitive value',
  0x13: 'Not enough data',
  0x14: 'Attribute not supported',
  0x15: 'Too much data',
  0x16: 'Object does not exist',
  0x1e: 'Embedded service error',
  0x20: 'Invalid parameter',
  0x26: 'Path size invalid',
  0xff: 'General error (see extended status)',
};

/** Extended status words used with 0x01 (Connection Manager, CIP Vol 1 Table 3-5.33) and 0xFF (Logix, 1756-PM020). */
export const CipExtendedStatus = {
  /** 0x01: connection in use or duplicate Forward Open. */
  DuplicateForwardOpen: 0x0100,
  /** 0x01: transport class and trigger combination not supported. */
  TransportClassNotSupported: 0x0103,
  /** 0x01: target connection not found (Forward Close of an unknown connection). */
  ConnectionNotFound: 0x0107,
  /** 0x01: invalid connection size. */
  InvalidConnectionSize: 0x0109,
  /** 0x01: port in the route path not available. */
  PortNotAvailable: 0x0311,
  /** 0x01: link address in the route path not valid. */
  LinkAddressNotValid: 0x0312,
  /** 0x01: invalid segment in the connection path. */
  InvalidSegmentInPath: 0x0315,
  /** 0xFF: the byte offset is beyond the end of the requested tag. */
  OffsetBeyondEnd: 0x2104,
  /** 0xFF: the number of elements extends beyond the end of the requested tag. */
  BeyondEndOfObject: 0x2105,
  /** 0xFF: the data type in the request does not match the tag's data type. */
  DataTypeMismatch: 0x2107,
} as const;

/** Human-readable text of a CIP status, e.g. `0x04 (Path segment error)` or `0xFF/0x2105 (General error …)`. */
export function describeCipStatus(generalStatus: number, extendedStatus: readonly number[] = []): string {
  const hex = (n: number, w: number) => `0x${n.toString(16).toUpperCase().padStart(w, '0')}`;
  const name = CIP_GENERAL_STATUS_NAMES[generalStatus] ?? 'Unknown status';
  const ext = extendedStatus.length > 0 ? `/${extendedStatus.map((e) => hex(e, 4)).join(',')}` : '';
  return `${hex(generalStatus, 2)}${ext} (${name})`;
}

/** A CIP request the simulated controller refuses: answered with this general status and extended status. */
export class CipStatusError extends BaselineError {
  readonly generalStatus: number;
  readonly extendedStatus: readonly number[];
  /** Reply data sent with the error (e.g. the Forward Open failure's connection triad). */
  readonly replyData: Buffer;

  constructor(generalStatus: number, extendedStatus: readonly number[], message: string, replyData: Buffer = Buffer.alloc(0)) {
    super(
      'cip-status',
      `${message} (CIP status ${describeCipStatus(generalStatus, extendedStatus)}).`,
      "Check the request against the controller's tags and the CIP service it supports.",
      { generalStatus, extendedStatus: [...extendedStatus] },
    );
    this.name = 'CipStatusError';
    this.generalStatus = generalStatus;
    this.extendedStatus = extendedStatus;
    this.replyData = replyData;
  }
}

/** Encapsulation status codes (EtherNet/IP, CIP Vol 2 §2-3.3, Table 2-3.3). */
export const EncapsulationStatus = {
  Success: 0x0000,
  InvalidCommand: 0x0001,
  InsufficientMemory: 0x0002,
  IncorrectData: 0x0003,
  InvalidSessionHandle: 0x0064,
  InvalidLength: 0x0065,
  UnsupportedProtocolRevision: 0x0069,
} as const;

/** A malformed or refused encapsulation frame: answered with this encapsulation status. */
export class EnipFrameError extends BaselineError {
  readonly encapsulationStatus: number;

  constructor(encapsulationStatus: number, message: string) {
    super('enip-frame', message, 'The peer sent an EtherNet/IP frame the simulated controller cannot accept; check the client.', {
      encapsulationStatus,
    });
    this.name = 'EnipFrameError';
    this.encapsulationStatus = encapsulationStatus;
  }
}
