/**
 * One EtherNet/IP encapsulation session of the simulated controller, without sockets: takes one whole frame
 * (from the framer) and returns the reply frames (CIP Vol 2 §2-4). RegisterSession / UnregisterSession, NOP,
 * ListIdentity, ListServices, ListInterfaces, SendRRData (unconnected CIP, CPF null address + 0x00B2) and
 * SendUnitData (connected CIP, CPF 0x00A1 + 0x00B1 with the sequence count). Tests drive it directly like
 * pymodbus's "null modem"; the TCP server only moves bytes.
 */
import { EncapsulationStatus, EnipFrameError } from './cip-status.ts';
import {
  CpfItemType,
  decodeEncapsulation,
  decodeRegisterSession,
  decodeSendData,
  EncapsulationCommand,
  encodeCpf,
  encodeEncapsulation,
  encodeListIdentityItem,
  encodeListServicesItem,
  encodeRegisterSession,
  encodeSendData,
  type EncapsulationFrame,
} from './encapsulation.ts';
import { SessionConnections, UNCONNECTED_MAX_REPLY, type LogixController } from './logix-controller.ts';

/** What the session needs from its surroundings. */
export interface LogixSessionOptions {
  controller: LogixController;
  /** The session handle this session hands out on RegisterSession (non-zero). */
  sessionHandle: number;
  /** Source of O->T connection ids for Forward Open. */
  connectionIds: () => number;
  /** The simulator's own address, announced by ListIdentity. */
  localAddress?: { ip: string; port: number };
}

/** The outcome of one frame: reply frames to send, and whether to close the TCP connection afterwards. */
export interface SessionOutput {
  replies: Buffer[];
  close: boolean;
  /** True when the frame carried a CIP request (SendRRData / SendUnitData) that was answered. */
  cipRequest: boolean;
}

/** One client connection's encapsulation session. */
export class LogixSession {
  private readonly options: LogixSessionOptions;
  private registered = false;
  /** Class 3 connections opened over this session (closed with it). */
  readonly connections: SessionConnections;

  constructor(options: LogixSessionOptions) {
    this.options = options;
    this.connections = new SessionConnections(options.connectionIds);
  }

  /** The session handle once registered, else 0. */
  get sessionHandle(): number {
    return this.registered ? this.options.sessionHandle : 0;
  }

  /** Handles one whole encapsulation frame. */
  handleFrame(frame: Buffer): SessionOutput {
    const request = decodeEncapsulation(frame);
    const reply = (status: number, data: Buffer, session = request.session): Buffer =>
      encodeEncapsulation({ command: request.command, session, status, context: request.context, options: 0, data });
    try {
      return this.dispatch(request, reply);
    } catch (err) {
      if (err instanceof EnipFrameError)
        return { replies: [reply(err.encapsulationStatus, Buffer.alloc(0))], close: false, cipRequest: false };
      throw err;
    }
  }

  private dispatch(request: EncapsulationFrame, reply: (status: number, data: Buffer, session?: number) => Buffer): SessionOutput {
    const none: SessionOutput = { replies: [], close: false, cipRequest: false };
    switch (request.command) {
      case EncapsulationCommand.Nop:
        return none; // Vol 2 §2-4.1: no reply
      case EncapsulationCommand.ListIdentity: {
        const address = this.options.localAddress ?? { ip: '127.0.0.1', port: 44818 };
        const item = encodeListIdentityItem(this.options.controller.identity, address);
        return { ...none, replies: [reply(0, encodeCpf([{ type: CpfItemType.ListIdentity, data: item }]))] };
      }
      case EncapsulationCommand.ListServices:
        return { ...none, replies: [reply(0, encodeCpf([{ type: CpfItemType.ListServices, data: encodeListServicesItem() }]))] };
      case EncapsulationCommand.ListInterfaces:
        return { ...none, replies: [reply(0, encodeCpf([]))] };
      case EncapsulationCommand.RegisterSession: {
        const data = decodeRegisterSession(request.data);
        if (this.registered)
          throw new EnipFrameError(EncapsulationStatus.InvalidCommand, 'A session is already registered on this connection');
        if (data.protocolVersion !== 1) {
          return {
            ...none,
            replies: [
              reply(EncapsulationStatus.UnsupportedProtocolRevision, encodeRegisterSession({ protocolVersion: 1, optionFlags: 0 }), 0),
            ],
          };
        }
        this.registered = true;
        return { ...none, replies: [reply(0, encodeRegisterSession(data), this.options.sessionHandle)] };
      }
      case EncapsulationCommand.UnregisterSession:
        this.checkSession(request);
        this.registered = false;
        this.connections.byId.clear();
        return { ...none, close: true }; // Vol 2 §2-4.5: no reply; the target closes the connection
      case EncapsulationCommand.SendRRData: {
        this.checkSession(request);
        const send = decodeSendData(request.data);
        const [address, data] = send.items;
        if (
          send.items.length !== 2 ||
          address?.type !== CpfItemType.NullAddress ||
          address.data.length !== 0 ||
          data?.type !== CpfItemType.UnconnectedData
        ) {
          throw new EnipFrameError(
            EncapsulationStatus.IncorrectData,
            'SendRRData carries a null address item and an unconnected data item',
          );
        }
        const answer = this.options.controller.execute(data.data, {
          connected: false,
          maxReply: UNCONNECTED_MAX_REPLY,
          connections: this.connections,
        });
        const body = encodeSendData({
          interfaceHandle: 0,
          timeout: 0,
          items: [
            { type: CpfItemType.NullAddress, data: Buffer.alloc(0) },
            { type: CpfItemType.UnconnectedData, data: answer },
          ],
        });
        return { replies: [reply(0, body)], close: false, cipRequest: true };
      }
      case EncapsulationCommand.SendUnitData: {
        this.checkSession(request);
        const send = decodeSendData(request.data);
        const [address, data] = send.items;
        if (
          send.items.length !== 2 ||
          address?.type !== CpfItemType.ConnectedAddress ||
          address.data.length !== 4 ||
          data?.type !== CpfItemType.ConnectedData ||
          data.data.length < 2
        ) {
          throw new EnipFrameError(
            EncapsulationStatus.IncorrectData,
            'SendUnitData carries a connected address item and a connected data item',
          );
        }
        const conn = this.connections.byId.get(address.data.readUInt32LE(0));
        if (!conn) return none; // no such connection: a target drops the packet (there is no error reply for class 3 data)
        const sequence = data.data.subarray(0, 2);
        const answer = this.options.controller.execute(data.data.subarray(2), {
          connected: true,
          maxReply: conn.toSize - 2,
          connections: this.connections,
        });
        const toId = Buffer.alloc(4);
        toId.writeUInt32LE(conn.toConnectionId >>> 0, 0);
        const body = encodeSendData({
          interfaceHandle: 0,
          timeout: 0,
          items: [
            { type: CpfItemType.ConnectedAddress, data: toId },
            { type: CpfItemType.ConnectedData, data: Buffer.concat([sequence, answer]) },
          ],
        });
        return { replies: [reply(0, body)], close: false, cipRequest: true };
      }
      default:
        throw new EnipFrameError(
          EncapsulationStatus.InvalidCommand,
          `Encapsulation command 0x${request.command.toString(16)} is not supported`,
        );
    }
  }

  private checkSession(request: EncapsulationFrame): void {
    if (!this.registered || request.session !== this.options.sessionHandle) {
      throw new EnipFrameError(
        EncapsulationStatus.InvalidSessionHandle,
        `Session handle 0x${request.session.toString(16)} is not registered`,
      );
    }
  }
}
