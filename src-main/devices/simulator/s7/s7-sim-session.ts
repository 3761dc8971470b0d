/**
 * One client connection of the simulated S7 CPU, without sockets: whole TPKT frames in, reply frames out
 * (pymodbus's request-handling layer, testable byte for byte). Serves COTP connect (CR -> CC; DR ends the
 * connection), Setup Communication (grants min(requested, own) PDU and AmQ), Read Var and Write Var on
 * S7ANY items, and userdata Read SZL for the identification lists, split into data units with follow-ups when a
 * list does not fit the PDU.
 *
 * Refusals use the codes public reports show real CPUs sending (not checked against a CPU here): a request or
 * reply larger than the negotiated PDU gets an Ack with header error 0x85/0x00 ("wrong frames", as reported from
 * an S7-1500), an unknown job function or an undecodable job 0x81/0x04 ("service not implemented or frame error"),
 * an unknown SZL userdata error 0xD401 ("information function unavailable"; Snap7's server says 0xD402). Jobs sent
 * before Setup Communication are served with a 240-byte PDU.
 */
import { decodeIsoFrame, encodeIsoFrame, type CotpTpdu } from '../../s7/s7comm/iso-on-tcp.ts';
import {
  ROSCTR,
  S7_FUNCTIONS,
  S7_RETURN_CODES,
  SZL_FUNCTION,
  USERDATA_METHOD,
  USERDATA_TYPE,
  decodeReadSzlRequest,
  decodeReadVarRequest,
  decodeS7Pdu,
  decodeSetupCommunication,
  decodeUserdataParam,
  decodeWriteVarRequest,
  encodeReadSzlResponse,
  encodeReadVarResponse,
  encodeS7Pdu,
  encodeSetupCommunication,
  encodeUserdataParam,
  frameS7Pdu,
  encodeWriteVarResponse,
  type S7DataItem,
  type S7Pdu,
  type UserdataParam,
} from '../../s7/s7comm/s7-frames.ts';
import { concatBytes } from '../../s7/s7comm/s7-wire.ts';
import type { S7Memory } from './s7-memory.ts';

/** Requests served, by kind (each S7 PDU counts once; COTP frames do not count). */
export interface S7RequestCounts {
  total: number;
  setupCommunication: number;
  readVar: number;
  writeVar: number;
  readSzl: number;
  other: number;
}

/** A zeroed request counter. */
export function emptyRequestCounts(): S7RequestCounts {
  return { total: 0, setupCommunication: 0, readVar: 0, writeVar: 0, readSzl: 0, other: 0 };
}

/** What every connection of one simulated CPU shares. */
export interface S7SimCpu {
  memory: S7Memory;
  /** The CPU's own maximum PDU length. */
  pduSize: number;
  /** The CPU's own maximum of parallel jobs (AmQ). */
  maxAmq: number;
  /** SZL lists by (SZL-ID << 16 | index), each the whole list payload (header + records). */
  szl: Map<number, Uint8Array>;
  counts: S7RequestCounts;
}

/** What to do after a frame: send these frames, and close the connection if asked. */
export interface S7SimOutput {
  replies: Uint8Array[];
  close: boolean;
}

/** The PDU length in force before Setup Communication (the smallest any S7 CPU grants). */
export const PDU_BEFORE_SETUP = 240;
const ERR_WRONG_FRAMES = { errorClass: 0x85, errorCode: 0x00 } as const;
const ERR_NOT_IMPLEMENTED = { errorClass: 0x81, errorCode: 0x04 } as const;
const SZL_UNAVAILABLE = 0xd401;
/** Longest S7 PDU accepted from COTP fragments (the largest PDU any CPU negotiates is 960; this leaves room). */
const MAX_PDU_BYTES = 8192;
/** Userdata header (10) + SZL response parameter (12) + data header (4): what each data unit spends before its payload. */
const SZL_UNIT_OVERHEAD = 10 + 12 + 4;

/** One connection's state machine. */
export class S7SimSession {
  private readonly cpu: S7SimCpu;
  private connected = false;
  private pdu = PDU_BEFORE_SETUP;
  private fragments: Uint8Array[] = [];
  private fragmentBytes = 0;
  private readonly pending = new Map<number, Uint8Array[]>();
  private nextSequence = 1;

  constructor(cpu: S7SimCpu) {
    this.cpu = cpu;
  }

  /** PDU length in force on this connection. */
  get pduLength(): number {
    return this.pdu;
  }

  /** Handles one whole TPKT frame. A frame that does not decode closes the connection, as a CPU would. */
  handle(frame: Uint8Array): S7SimOutput {
    let tpdu: CotpTpdu;
    try {
      tpdu = decodeIsoFrame(frame);
    } catch {
      return { replies: [], close: true };
    }
    switch (tpdu.type) {
      case 'CR': {
        this.connected = true;
        // Connection confirm: our reference, the caller's as destination, class 0, the caller's parameters echoed.
        const cc: CotpTpdu = { type: 'CC', dstRef: tpdu.srcRef, srcRef: 0x0001, classOption: 0, params: tpdu.params };
        return { replies: [encodeIsoFrame(cc)], close: false };
      }
      case 'DT': {
        if (!this.connected) return { replies: [], close: true };
        this.fragments.push(tpdu.data);
        this.fragmentBytes += tpdu.data.length;
        if (this.fragmentBytes > MAX_PDU_BYTES) return { replies: [], close: true }; // no S7 PDU is that long
        if (!tpdu.eot) return { replies: [], close: false };
        this.fragmentBytes = 0;
        const whole = concatBytes(this.fragments);
        this.fragments = [];
        let pdu: S7Pdu;
        try {
          pdu = decodeS7Pdu(whole);
        } catch {
          return { replies: [], close: true };
        }
        const reply = this.handlePdu(pdu, whole.length);
        return { replies: reply ? [frameS7Pdu(reply)] : [], close: false };
      }
      case 'DR':
      case 'CC':
      case 'ER':
        return { replies: [], close: true };
    }
  }

  private ackError(pdu: S7Pdu, err: { errorClass: number; errorCode: number }): Uint8Array {
    return encodeS7Pdu({ rosctr: ROSCTR.ack, pduRef: pdu.pduRef, ...err });
  }

  private handlePdu(pdu: S7Pdu, length: number): Uint8Array | null {
    const counts = this.cpu.counts;
    counts.total++;
    if (pdu.rosctr === ROSCTR.userdata) return this.handleUserdata(pdu);
    if (pdu.rosctr !== ROSCTR.job) {
      counts.other++;
      return null; // acks from a client need no answer
    }
    const fn = pdu.param[0];
    if (fn === S7_FUNCTIONS.setupCommunication) {
      counts.setupCommunication++;
      try {
        const asked = decodeSetupCommunication(pdu.param);
        this.pdu = Math.max(1, Math.min(asked.pduLength, this.cpu.pduSize));
        const granted = {
          maxAmqCalling: Math.max(1, Math.min(asked.maxAmqCalling, this.cpu.maxAmq)),
          maxAmqCalled: Math.max(1, Math.min(asked.maxAmqCalled, this.cpu.maxAmq)),
          pduLength: this.pdu,
        };
        return encodeS7Pdu({ rosctr: ROSCTR.ackData, pduRef: pdu.pduRef, param: encodeSetupCommunication(granted) });
      } catch {
        return this.ackError(pdu, ERR_NOT_IMPLEMENTED);
      }
    }
    if (fn === S7_FUNCTIONS.readVar) {
      counts.readVar++;
      if (length > this.pdu) return this.ackError(pdu, ERR_WRONG_FRAMES);
      return this.readVar(pdu);
    }
    if (fn === S7_FUNCTIONS.writeVar) {
      counts.writeVar++;
      if (length > this.pdu) return this.ackError(pdu, ERR_WRONG_FRAMES);
      return this.writeVar(pdu);
    }
    counts.other++;
    return this.ackError(pdu, ERR_NOT_IMPLEMENTED);
  }

  private readVar(pdu: S7Pdu): Uint8Array {
    let specs;
    try {
      specs = decodeReadVarRequest(pdu.param);
    } catch {
      return this.ackError(pdu, ERR_NOT_IMPLEMENTED);
    }
    const items: S7DataItem[] = specs.map((spec) =>
      spec.syntax === 'S7ANY'
        ? this.cpu.memory.read(spec.item)
        : { returnCode: S7_RETURN_CODES.dataTypeNotSupported, transportSize: 0, data: new Uint8Array(0) },
    );
    const { param, data } = encodeReadVarResponse(items);
    // The whole reply (12-byte ack-data header + parameter + data) must fit the PDU, or the CPU refuses the job.
    if (12 + param.length + data.length > this.pdu) return this.ackError(pdu, ERR_WRONG_FRAMES);
    return encodeS7Pdu({ rosctr: ROSCTR.ackData, pduRef: pdu.pduRef, param, data });
  }

  private writeVar(pdu: S7Pdu): Uint8Array {
    let writes;
    try {
      writes = decodeWriteVarRequest(pdu.param, pdu.data);
    } catch {
      return this.ackError(pdu, ERR_NOT_IMPLEMENTED);
    }
    const codes = writes.map(({ spec, value }) =>
      spec.syntax === 'S7ANY' ? this.cpu.memory.write(spec.item, value) : S7_RETURN_CODES.dataTypeNotSupported,
    );
    const { param, data } = encodeWriteVarResponse(codes);
    return encodeS7Pdu({ rosctr: ROSCTR.ackData, pduRef: pdu.pduRef, param, data });
  }

  private handleUserdata(pdu: S7Pdu): Uint8Array {
    let p: UserdataParam;
    try {
      p = decodeUserdataParam(pdu.param);
    } catch {
      this.cpu.counts.other++;
      return this.ackError(pdu, ERR_NOT_IMPLEMENTED);
    }
    const { group, subfunction, sequence } = p;
    if (group !== SZL_FUNCTION.group || subfunction !== SZL_FUNCTION.readSzl) {
      this.cpu.counts.other++;
      const param = encodeUserdataParam({
        method: USERDATA_METHOD.response,
        type: USERDATA_TYPE.response,
        group,
        subfunction,
        sequence,
        dataUnitRef: 0,
        lastDataUnit: true,
        errorCode: 0x8104,
      });
      return encodeS7Pdu({
        rosctr: ROSCTR.userdata,
        pduRef: pdu.pduRef,
        param,
        data: Uint8Array.of(S7_RETURN_CODES.objectDoesNotExist, 0, 0, 0),
      });
    }
    this.cpu.counts.readSzl++;
    const refuse = (seq: number) =>
      encodeReadSzlResponse(pdu.pduRef, {
        sequence: seq,
        dataUnitRef: 0,
        last: true,
        errorCode: SZL_UNAVAILABLE,
        returnCode: S7_RETURN_CODES.objectDoesNotExist,
        payload: new Uint8Array(0),
      });
    let req;
    try {
      req = decodeReadSzlRequest(pdu);
    } catch {
      return refuse(sequence);
    }
    if (req.kind === 'follow-up') {
      // A follow-up names the list by the sequence number our first data unit carried (as Snap7's client does).
      const rest = this.pending.get(req.sequence);
      const unit = rest?.shift();
      if (!rest || !unit) return refuse(req.sequence);
      const last = rest.length === 0;
      if (last) this.pending.delete(req.sequence);
      return encodeReadSzlResponse(pdu.pduRef, {
        sequence: req.sequence,
        dataUnitRef: 0,
        last,
        errorCode: 0,
        returnCode: S7_RETURN_CODES.success,
        payload: unit,
      });
    }
    const list = this.cpu.szl.get(((req.szlId & 0xffff) << 16) | (req.index & 0xffff));
    if (!list) return refuse(req.sequence);
    const room = Math.max(2, this.pdu - SZL_UNIT_OVERHEAD);
    if (list.length <= room) {
      return encodeReadSzlResponse(pdu.pduRef, {
        sequence: req.sequence,
        dataUnitRef: 0,
        last: true,
        errorCode: 0,
        returnCode: S7_RETURN_CODES.success,
        payload: list,
      });
    }
    const units: Uint8Array[] = [];
    for (let at = 0; at < list.length; at += room) units.push(list.subarray(at, at + room));
    // More data units follow: this list gets a sequence number of its own, which the follow-ups quote.
    const seq = this.nextSequence;
    this.nextSequence = this.nextSequence >= 255 ? 1 : this.nextSequence + 1;
    const first = units.shift() as Uint8Array;
    this.pending.set(seq, units);
    return encodeReadSzlResponse(pdu.pduRef, {
      sequence: seq,
      dataUnitRef: 0,
      last: false,
      errorCode: 0,
      returnCode: S7_RETURN_CODES.success,
      payload: first,
    });
  }
}
