/**
 * Reads an S7 CPU's identity (order number, firmware, module type name, serial number, PLC and module names)
 * over its own short connection: COTP connect (ISO 8073 CR/CC with the rack/slot TSAP), Setup Communication
 * (0xF0), then the userdata "Read SZL" requests for SZL 0x0011 (module identification) and 0x001C (component
 * identification), following up data units when the CPU splits a list. nodes7 has no such read.
 *
 * The connection is always closed, whatever happens. A list the CPU refuses (e.g. userdata error 0xD401
 * "information function unavailable") only leaves its fields out; refusing both is an error.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { deviceError } from '../../device-error.ts';
import { decodeIsoFrame, encodeIsoFrame, s7Tsap, type CotpTpdu } from './iso-on-tcp.ts';
import { IsoLink, asDeviceError } from './iso-link.ts';
import {
  ROSCTR,
  S7_RETURN_CODES,
  decodeReadSzlResponse,
  decodeS7Frame,
  decodeSetupCommunication,
  describeReturnCode,
  describeS7Error,
  encodeReadSzlRequest,
  encodeS7Frame,
  encodeSetupCommunication,
  frameS7Pdu,
  type ReadSzlResponse,
  type S7Pdu,
} from './s7-frames.ts';
import { concatBytes } from './s7-wire.ts';
import {
  SZL_COMPONENT_IDENTIFICATION,
  SZL_MODULE_IDENTIFICATION,
  decodeComponentIdentification,
  decodeModuleIdentification,
  decodeSzlList,
  identityFromSzl,
  type ComponentIdentificationRecord,
  type ModuleIdentificationRecord,
  type S7Identity,
  type SzlList,
} from './szl-records.ts';

export type { S7Identity } from './szl-records.ts';

/** Where to read the identity from. */
export interface S7IdentityTarget {
  host: string;
  port: number;
  rack: number;
  slot: number;
  /** Bound of the TCP connect and of each request/answer exchange. */
  timeoutMs: number;
}

/** PDU length Baseline asks for; the CPU grants at most this (S7-300: 240, S7-1500: 960). */
export const IDENTITY_PDU_REQUEST = 480;
/** Follow-up data units accepted for one SZL list before giving up (a list is a few hundred bytes). */
const MAX_DATA_UNITS = 32;

function describe(t: S7IdentityTarget): string {
  return `S7 ${t.host}:${t.port} rack ${t.rack} slot ${t.slot}`;
}

interface Session {
  link: IsoLink;
  target: S7IdentityTarget;
  pduRef: number;
}

async function exchange(s: Session, frame: Uint8Array, what: string): Promise<Uint8Array> {
  return s.link.exchange(frame, what, s.target.timeoutMs);
}

async function cotpConnect(s: Session): Promise<void> {
  const what = 'connecting (COTP)';
  const request = encodeIsoFrame({
    type: 'CR',
    dstRef: 0,
    srcRef: 0x0001,
    classOption: 0,
    params: { tpduSize: 0x0a, callingTsap: Uint8Array.of(0x01, 0x00), calledTsap: s7Tsap(s.target.rack, s.target.slot) },
  });
  const reply = await exchange(s, request, what);
  let tpdu: CotpTpdu;
  try {
    tpdu = decodeIsoFrame(reply);
  } catch (err) {
    throw asDeviceError(err, s.link.controller, what);
  }
  if (tpdu.type === 'DR' || tpdu.type === 'ER') {
    const why =
      tpdu.type === 'DR' ? `disconnect request, reason 0x${tpdu.reason.toString(16)}` : `error TPDU, cause 0x${tpdu.cause.toString(16)}`;
    throw deviceError('protocol', s.link.controller, what, `the CPU refused the connection (${why}); check rack and slot`);
  }
  if (tpdu.type !== 'CC') throw deviceError('malformed', s.link.controller, what, `expected a connection confirm (CC), got ${tpdu.type}`);
}

/** Sends one S7 PDU and returns the answer, refusing header errors, another PDU type or another PDU reference. */
async function job(s: Session, what: string, build: (pduRef: number) => Uint8Array, expectRosctr: number): Promise<S7Pdu> {
  const pduRef = ++s.pduRef & 0xffff;
  const reply = await exchange(s, build(pduRef), what);
  let pdu: S7Pdu;
  try {
    pdu = decodeS7Frame(reply);
  } catch (err) {
    throw asDeviceError(err, s.link.controller, what);
  }
  if (pdu.rosctr === ROSCTR.ack || pdu.rosctr === ROSCTR.ackData) {
    const code = (pdu.errorClass << 8) | pdu.errorCode;
    if (code !== 0) throw deviceError('protocol', s.link.controller, what, `the CPU answered ${describeS7Error(code)}`, { s7Error: code });
  }
  if (pdu.rosctr !== expectRosctr)
    throw deviceError(
      'malformed',
      s.link.controller,
      what,
      `expected PDU type 0x${expectRosctr.toString(16)}, got 0x${pdu.rosctr.toString(16)}`,
    );
  if (pdu.pduRef !== pduRef)
    throw deviceError('malformed', s.link.controller, what, `the answer is for PDU reference ${pdu.pduRef}, not ${pduRef}`);
  return pdu;
}

async function setupCommunication(s: Session): Promise<number> {
  const what = 'negotiating the PDU size (Setup Communication)';
  const pdu = await job(
    s,
    what,
    (ref) =>
      encodeS7Frame({
        rosctr: ROSCTR.job,
        pduRef: ref,
        param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: IDENTITY_PDU_REQUEST }),
      }),
    ROSCTR.ackData,
  );
  try {
    return decodeSetupCommunication(pdu.param).pduLength;
  } catch (err) {
    throw asDeviceError(err, s.link.controller, what);
  }
}

/** Reads one SZL list, joining follow-up data units; `{ refused }` when the CPU does not give it. */
async function readSzl(s: Session, szlId: number, index: number): Promise<{ list: SzlList } | { refused: string }> {
  const hex = `0x${szlId.toString(16).toUpperCase().padStart(4, '0')}`;
  const what = `reading SZL ${hex}`;
  const parts: Uint8Array[] = [];
  let sequence = 0;
  for (let unit = 0; unit < MAX_DATA_UNITS; unit++) {
    let pdu: S7Pdu;
    try {
      pdu = await job(
        s,
        what,
        (ref) =>
          frameS7Pdu(
            encodeReadSzlRequest(
              ref,
              unit === 0 ? { kind: 'first', sequence: 0, szlId, index } : { kind: 'follow-up', sequence, dataUnitRef: 0 },
            ),
          ),
        ROSCTR.userdata,
      );
    } catch (err) {
      // A CPU that answers the first request with a header error (an Ack) does not have this list; that is not fatal.
      const code = err instanceof BaselineError ? err.details?.['s7Error'] : undefined;
      if (unit === 0 && typeof code === 'number') return { refused: `SZL ${hex}: ${describeS7Error(code)}` };
      throw err;
    }
    let res: ReadSzlResponse;
    try {
      res = decodeReadSzlResponse(pdu);
    } catch (err) {
      throw asDeviceError(err, s.link.controller, what);
    }
    if (res.errorCode !== 0 || res.returnCode !== S7_RETURN_CODES.success) {
      const why = res.errorCode !== 0 ? describeS7Error(res.errorCode) : describeReturnCode(res.returnCode);
      if (unit === 0) return { refused: `SZL ${hex}: ${why}` };
      throw deviceError('protocol', s.link.controller, what, `the CPU stopped the list after ${unit} data units: ${why}`);
    }
    parts.push(res.payload);
    if (res.last) {
      try {
        return { list: decodeSzlList(concatBytes(parts)) };
      } catch (err) {
        throw asDeviceError(err, s.link.controller, what);
      }
    }
    // The follow-up quotes the sequence number of this data unit; the data unit reference stays 0 (as Snap7's client does).
    sequence = res.sequence;
  }
  throw deviceError('malformed', s.link.controller, what, `the CPU sent more than ${MAX_DATA_UNITS} data units for one list`);
}

/** Reads the CPU's identity over a short connection of its own; returns whatever identification the CPU gives. */
export async function readS7Identity(target: S7IdentityTarget): Promise<S7Identity> {
  const controller = describe(target);
  s7Tsap(target.rack, target.slot); // refuses an impossible rack/slot before any connection
  const link = await IsoLink.open(target.host, target.port, target.timeoutMs, controller);
  const s: Session = { link, target, pduRef: 0 };
  try {
    await cotpConnect(s);
    await setupCommunication(s);
    const module = await readSzl(s, SZL_MODULE_IDENTIFICATION, 0);
    const component = await readSzl(s, SZL_COMPONENT_IDENTIFICATION, 0);
    if ('refused' in module && 'refused' in component) {
      throw deviceError(
        'protocol',
        controller,
        'reading the identity',
        `the CPU gave neither list (${module.refused}; ${component.refused})`,
      );
    }
    let modules: ModuleIdentificationRecord[] = [];
    let components: ComponentIdentificationRecord[] = [];
    try {
      if ('list' in module) modules = decodeModuleIdentification(module.list);
      if ('list' in component) components = decodeComponentIdentification(component.list);
    } catch (err) {
      throw asDeviceError(err, controller, 'decoding the identity');
    }
    return identityFromSzl(modules, components);
  } catch (err) {
    throw asDeviceError(err, controller, 'reading the identity');
  } finally {
    link.close();
  }
}
