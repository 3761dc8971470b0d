/**
 * The simulated Logix controller's CIP layer: takes one Message Router request and returns its reply, with no
 * sockets (the "pdu + transaction" layers of the pymodbus split). It serves the Identity object (0x01), the
 * Message Router's Multiple Service Packet (0x02/0x0A), the Connection Manager (0x06: Unconnected Send, Forward
 * Open, Large Forward Open, Forward Close), the Symbol object's tag-list browse (0x6B/0x55), the Template object
 * (0x6C), the wall clock (0x8B) and the Logix tag services (Read/Write Tag, fragmented, Read-Modify-Write).
 */
import { CipExtendedStatus, CipGeneralStatus, CipStatusError } from './cip-status.ts';
import {
  CONNECTION_MANAGER_CLASS,
  decodeForwardClose,
  decodeForwardOpen,
  decodeUnconnectedSend,
  encodeConnectionFailureData,
  encodeForwardCloseReply,
  encodeForwardOpenReply,
  type ConnectionTriad,
} from './connection-manager.ts';
import { encodeIdentityAttributes, type DeviceIdentity } from './encapsulation.ts';
import { decodeEpath, objectAddress, type EpathSegment } from './epath.ts';
import {
  CipService,
  decodeCipRequest,
  decodeMultipleService,
  encodeCipReply,
  encodeMultipleService,
  replyHeaderLength,
  type CipReply,
  type CipRequest,
} from './message-router.ts';
import { definitionWords } from './logix-templates.ts';
import type { LogixTagDatabase, SymbolEntry } from './tag-database.ts';

/** Largest CIP reply to an unconnected (UCMM) request; Logix limits unconnected messages to about 504 bytes. */
export const UNCONNECTED_MAX_REPLY = 504;

/** CIP object classes the simulator serves. */
export const CipClass = {
  Identity: 0x01,
  MessageRouter: 0x02,
  ConnectionManager: CONNECTION_MANAGER_CLASS,
  Symbol: 0x6b,
  Template: 0x6c,
  WallClock: 0x8b,
} as const;

/** One open class 3 connection (made by Forward Open). */
export interface CipConnection extends ConnectionTriad {
  /** O->T id chosen by the simulator; the client sends it in SendUnitData. */
  otConnectionId: number;
  /** T->O id chosen by the client; the simulator sends it back. */
  toConnectionId: number;
  /** Largest T->O packet (bytes, sequence count included). */
  toSize: number;
  otSize: number;
}

/** Connections opened over one encapsulation session. */
export class SessionConnections {
  readonly byId = new Map<number, CipConnection>();
  private readonly nextId: () => number;

  constructor(nextId: () => number) {
    this.nextId = nextId;
  }

  /** A fresh O->T connection id not in use. */
  allocateId(): number {
    let id = this.nextId() >>> 0;
    while (id === 0 || this.byId.has(id)) id = (id + 1) >>> 0;
    return id;
  }

  /** The connection with this triad, if open. */
  findByTriad(t: ConnectionTriad): CipConnection | undefined {
    return [...this.byId.values()].find(
      (c) =>
        c.connectionSerial === t.connectionSerial &&
        c.originatorVendorId === t.originatorVendorId &&
        c.originatorSerial === t.originatorSerial,
    );
  }
}

/** Where a request arrived: connected or not, the reply size allowed, and the session's connections. */
export interface RequestContext {
  connected: boolean;
  maxReply: number;
  connections: SessionConnections;
}

/** How the controller is set up. */
export interface LogixControllerOptions {
  database: LogixTagDatabase;
  identity: DeviceIdentity;
  /** Backplane slot of the controller (route paths and connection paths must name it). Default 0. */
  slot?: number;
  /** The host clock (tests pin it). */
  now?: () => number;
}

const ok = (service: number, data: Buffer = Buffer.alloc(0)): CipReply => ({ service, generalStatus: 0, extendedStatus: [], data });
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
const notSupported = (what: string) => new CipStatusError(CipGeneralStatus.ServiceNotSupported, [], what);
const needData = (data: Buffer, bytes: number, what: string) => {
  if (data.length < bytes)
    throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], `${what} needs ${bytes} data bytes, got ${data.length}`);
  if (data.length > bytes)
    throw new CipStatusError(CipGeneralStatus.TooMuchData, [], `${what} takes ${bytes} data bytes, got ${data.length}`);
};

/** The CIP side of a simulated Logix controller. */
export class LogixController {
  readonly database: LogixTagDatabase;
  readonly identity: DeviceIdentity;
  readonly slot: number;
  private readonly now: () => number;
  private clockOffsetMs = 0;
  private serviceCount = 0;

  constructor(options: LogixControllerOptions) {
    this.database = options.database;
    this.identity = options.identity;
    this.slot = options.slot ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** CIP services executed so far (each service inside a Multiple Service Packet counts; routing wrappers do not). */
  get services(): number {
    return this.serviceCount;
  }

  /** Executes one encoded Message Router request and returns the encoded reply. */
  execute(request: Buffer, ctx: RequestContext): Buffer {
    return encodeCipReply(this.run(request, ctx));
  }

  private run(request: Buffer, ctx: RequestContext): CipReply {
    const service = request[0] ?? 0;
    try {
      return this.dispatch(decodeCipRequest(request), ctx);
    } catch (err) {
      if (err instanceof CipStatusError)
        return { service, generalStatus: err.generalStatus, extendedStatus: err.extendedStatus, data: err.replyData };
      if (err instanceof RangeError)
        return { service, generalStatus: CipGeneralStatus.NotEnoughData, extendedStatus: [], data: Buffer.alloc(0) };
      throw err;
    }
  }

  private dispatch(req: CipRequest, ctx: RequestContext): CipReply {
    const segments = decodeEpath(req.path);
    const obj = objectAddress(segments);
    if (obj?.classId === CipClass.ConnectionManager) {
      if (obj.instance !== 1)
        throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Connection Manager instance ${obj.instance} does not exist`);
      if (obj.attribute !== undefined) throw notSupported('Connection Manager attributes');
      switch (req.service) {
        case CipService.UnconnectedSend:
          return this.unconnectedSend(req, ctx);
        case CipService.ForwardOpen:
          return this.count(() => this.forwardOpen(req, ctx, false));
        case CipService.LargeForwardOpen:
          return this.count(() => this.forwardOpen(req, ctx, true));
        case CipService.ForwardClose:
          return this.count(() => this.forwardClose(req, ctx));
        default:
          throw notSupported(`Service 0x${req.service.toString(16)} on the Connection Manager`);
      }
    }
    if (obj?.classId === CipClass.MessageRouter && req.service === CipService.MultipleServicePacket) {
      if (obj.instance !== 1)
        throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Message Router instance ${obj.instance} does not exist`);
      return this.multipleServicePacket(req, ctx);
    }
    return this.count(() => this.leafService(req, segments, obj, ctx));
  }

  private count(fn: () => CipReply): CipReply {
    this.serviceCount += 1;
    return fn();
  }

  private leafService(req: CipRequest, segments: EpathSegment[], obj: ReturnType<typeof objectAddress>, ctx: RequestContext): CipReply {
    if (obj) {
      switch (obj.classId) {
        case CipClass.Identity:
          return this.identityService(req, obj.instance, obj.attribute);
        case CipClass.Template:
          return this.templateService(req, obj.instance, obj.attribute, ctx);
        case CipClass.WallClock:
          return this.wallClockService(req, obj.instance, obj.attribute);
        case CipClass.Symbol:
          if (req.service === CipService.GetInstanceAttributeList) return this.browse(req, null, obj.instance, ctx);
          break; // tag services by symbol instance
        case CipClass.MessageRouter:
          throw notSupported(`Service 0x${req.service.toString(16)} on the Message Router`);
        default:
          throw new CipStatusError(
            CipGeneralStatus.PathDestinationUnknown,
            [],
            `Object class 0x${obj.classId.toString(16)} does not exist`,
          );
      }
    }
    const { program, rest } = this.database.splitScope(segments);
    const sym = objectAddress(rest);
    if (program !== null && sym?.classId === CipClass.Symbol && req.service === CipService.GetInstanceAttributeList) {
      return this.browse(req, program, sym.instance, ctx);
    }
    return this.tagService(req, segments, ctx);
  }

  // Identity object (CIP Vol 1 §5-2): Get Attribute All returns attributes 1-7; Get Attribute Single/List one each.
  private identityService(req: CipRequest, instance: number, attribute: number | undefined): CipReply {
    if (instance !== 1)
      throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Identity instance ${instance} does not exist`);
    const all = encodeIdentityAttributes(this.identity);
    const attrs = new Map<number, Buffer>([
      [1, all.subarray(0, 2)],
      [2, all.subarray(2, 4)],
      [3, all.subarray(4, 6)],
      [4, all.subarray(6, 8)],
      [5, all.subarray(8, 10)],
      [6, all.subarray(10, 14)],
      [7, all.subarray(14)],
    ]);
    if (req.service === CipService.GetAttributeAll && attribute === undefined) return ok(req.service, all);
    return this.attributeService(req, attribute, (id) => attrs.get(id));
  }

  // Get Attribute Single (0x0E) and Get Attribute List (0x03, CIP Vol 1 ): count, then id/status/value per attribute.
  private attributeService(req: CipRequest, attribute: number | undefined, get: (id: number) => Buffer | undefined): CipReply {
    if (req.service === CipService.GetAttributeSingle) {
      if (attribute === undefined)
        throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], 'Get Attribute Single needs an attribute in the path');
      const value = get(attribute);
      if (!value) throw new CipStatusError(CipGeneralStatus.AttributeNotSupported, [], `Attribute ${attribute} is not supported`);
      return ok(req.service, Buffer.from(value));
    }
    if (req.service === CipService.GetAttributeList && attribute === undefined) {
      if (req.data.length < 2) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Get Attribute List needs a count');
      const count = req.data.readUInt16LE(0);
      needData(req.data, 2 + count * 2, 'Get Attribute List');
      const parts: Buffer[] = [u16(count)];
      let failed = false;
      for (let i = 0; i < count; i++) {
        const id = req.data.readUInt16LE(2 + i * 2);
        const value = get(id);
        if (value) parts.push(u16(id), u16(0), value);
        else {
          failed = true;
          parts.push(u16(id), u16(CipGeneralStatus.AttributeNotSupported));
        }
      }
      return {
        service: req.service,
        generalStatus: failed ? CipGeneralStatus.AttributeListError : 0,
        extendedStatus: [],
        data: Buffer.concat(parts),
      };
    }
    throw notSupported(`Service 0x${req.service.toString(16)} on this object`);
  }

  // Template object (Logix 1756-PM020): attributes 1, 2, 4, 5 and Read Tag (0x4C) of the definition: offset UDINT, size UINT.
  private templateService(req: CipRequest, instance: number, attribute: number | undefined, ctx: RequestContext): CipReply {
    const template = this.database.template(instance);
    if (!template) throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Template instance ${instance} does not exist`);
    if (req.service === CipService.ReadTag && attribute === undefined) {
      needData(req.data, 6, 'Template read');
      const offset = req.data.readUInt32LE(0);
      const size = req.data.readUInt16LE(4);
      const def = template.definition;
      if (offset > def.length)
        throw new CipStatusError(
          CipGeneralStatus.GeneralError,
          [CipExtendedStatus.OffsetBeyondEnd],
          `Offset ${offset} is past the ${def.length}-byte template`,
        );
      const budget = Math.max(4, ctx.maxReply - replyHeaderLength());
      const want = Math.min(size, def.length - offset);
      const take = Math.min(want, alignDown(budget, 4));
      const partial = take < want;
      return {
        service: req.service,
        generalStatus: partial ? CipGeneralStatus.PartialTransfer : 0,
        extendedStatus: [],
        data: Buffer.from(def.subarray(offset, offset + take)),
      };
    }
    const attrs = new Map<number, Buffer>([
      [1, u16(template.handle)],
      [2, u16(template.members.length)],
      [4, u32(definitionWords(template))],
      [5, u32(template.size)],
    ]);
    return this.attributeService(req, attribute, (id) => attrs.get(id));
  }

  // Logix wall clock (class 0x8B, instance 1): attribute 5 local date/time DINT[7] (year, month, day, hour, minute,
  // second, microsecond), attributes 6 and 11 UTC microseconds since 1970 as LINT; 5 and 6 settable.
  private wallClockService(req: CipRequest, instance: number, attribute: number | undefined): CipReply {
    if (instance !== 1)
      throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Wall clock instance ${instance} does not exist`);
    const nowMs = this.now() + this.clockOffsetMs;
    const get = (id: number): Buffer | undefined => {
      if (id === 5) {
        const d = new Date(nowMs);
        const out = Buffer.alloc(28);
        [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds() * 1000].forEach(
          (v, i) => out.writeInt32LE(v, i * 4),
        );
        return out;
      }
      if (id === 6 || id === 11) {
        const out = Buffer.alloc(8);
        out.writeBigInt64LE(BigInt(Math.round(nowMs)) * 1000n, 0);
        return out;
      }
      return undefined;
    };
    if (req.service === CipService.SetAttributeSingle) {
      if (attribute === 5) {
        needData(req.data, 28, 'Set wall clock');
        const v = [0, 1, 2, 3, 4, 5, 6].map((i) => req.data.readInt32LE(i * 4)) as [number, number, number, number, number, number, number];
        const target = new Date(v[0], v[1] - 1, v[2], v[3], v[4], v[5], Math.trunc(v[6] / 1000)).getTime();
        if (Number.isNaN(target)) throw new CipStatusError(CipGeneralStatus.InvalidParameterValue, [], 'The date is not valid');
        this.clockOffsetMs = target - this.now();
        return ok(req.service);
      }
      if (attribute === 6) {
        needData(req.data, 8, 'Set wall clock');
        this.clockOffsetMs = Number(req.data.readBigInt64LE(0) / 1000n) - this.now();
        return ok(req.service);
      }
      throw new CipStatusError(CipGeneralStatus.AttributeNotSettable, [], `Wall clock attribute ${attribute} is not settable`);
    }
    return this.attributeService(req, attribute, get);
  }

  // Symbol object Get Instance Attribute List (0x55, Logix 1756-PM020): from the path's instance on, each instance
  // as instance id UDINT then the requested attributes; 0x06 when more instances remain than fit.
  private browse(req: CipRequest, program: string | null, start: number, ctx: RequestContext): CipReply {
    if (req.data.length < 2) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Get Instance Attribute List needs a count');
    const count = req.data.readUInt16LE(0);
    needData(req.data, 2 + count * 2, 'Get Instance Attribute List');
    const ids = Array.from({ length: count }, (_, i) => req.data.readUInt16LE(2 + i * 2));
    const encodeAttr = (e: SymbolEntry, id: number): Buffer => {
      switch (id) {
        case 1: {
          const name = Buffer.from(e.name, 'latin1');
          return Buffer.concat([u16(name.length), name]);
        }
        case 2:
          return u16(e.symbolType);
        case 3:
        case 5:
        case 6:
          return u32(0); // symbol address, object address, software control: not simulated
        case 7:
          return u16(e.elementSize);
        case 8:
          return Buffer.concat(e.dims.map(u32));
        default:
          throw new CipStatusError(CipGeneralStatus.AttributeNotSupported, [], `Symbol attribute ${id} is not supported`);
      }
    };
    const budget = ctx.maxReply - replyHeaderLength();
    const parts: Buffer[] = [];
    let used = 0;
    let partial = false;
    for (const entry of this.database.listSymbols(program).filter((s) => s.instanceId >= start)) {
      const bytes = Buffer.concat([u32(entry.instanceId), ...ids.map((id) => encodeAttr(entry, id))]);
      if (used + bytes.length > budget) {
        partial = true;
        break;
      }
      parts.push(bytes);
      used += bytes.length;
    }
    if (partial && parts.length === 0)
      throw new CipStatusError(CipGeneralStatus.ReplyDataTooLarge, [], 'One symbol does not fit the reply');
    return {
      service: req.service,
      generalStatus: partial ? CipGeneralStatus.PartialTransfer : 0,
      extendedStatus: [],
      data: Buffer.concat(parts),
    };
  }

  // Logix tag services (1756-PM020 "Logix5000 Data Access"): Read Tag 0x4C (count UINT), Read Tag Fragmented
  // 0x52 (count UINT, offset UDINT), Write Tag 0x4D (type, count, data), Write Tag Fragmented 0x53 (type, count,
  // offset, data), Read-Modify-Write Tag 0x4E (mask size, OR mask, AND mask).
  private tagService(req: CipRequest, segments: EpathSegment[], ctx: RequestContext): CipReply {
    const tagServices: number[] = [
      CipService.ReadTag,
      CipService.ReadTagFragmented,
      CipService.WriteTag,
      CipService.WriteTagFragmented,
      CipService.ReadModifyWriteTag,
    ];
    if (!tagServices.includes(req.service)) throw notSupported(`Service 0x${req.service.toString(16)} on a tag`);
    const loc = this.database.resolvePath(segments);
    switch (req.service) {
      case CipService.ReadTag:
      case CipService.ReadTagFragmented: {
        const fragmented = req.service === CipService.ReadTagFragmented;
        needData(req.data, fragmented ? 6 : 2, fragmented ? 'Read Tag Fragmented' : 'Read Tag');
        const { type, data } = this.database.readElements(loc, req.data.readUInt16LE(0));
        const offset = fragmented ? req.data.readUInt32LE(2) : 0;
        if (offset > data.length)
          throw new CipStatusError(
            CipGeneralStatus.GeneralError,
            [CipExtendedStatus.OffsetBeyondEnd],
            `Offset ${offset} is past the ${data.length}-byte value`,
          );
        const budget = alignDown(Math.max(0, ctx.maxReply - replyHeaderLength() - type.length), 4);
        const chunk = data.subarray(offset, offset + budget);
        const partial = offset + chunk.length < data.length;
        return {
          service: req.service,
          generalStatus: partial ? CipGeneralStatus.PartialTransfer : 0,
          extendedStatus: [],
          data: Buffer.concat([type, chunk]),
        };
      }
      case CipService.WriteTag:
      case CipService.WriteTagFragmented: {
        const fragmented = req.service === CipService.WriteTagFragmented;
        let p = 0;
        if (req.data.length < 2) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Write Tag needs a data type');
        const code = req.data.readUInt16LE(p);
        p += 2;
        let handle: number | undefined;
        if (code === 0x02a0) {
          if (req.data.length < p + 2)
            throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Write Tag of a structure needs its handle');
          handle = req.data.readUInt16LE(p);
          p += 2;
        }
        if (req.data.length < p + (fragmented ? 6 : 2))
          throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Write Tag needs an element count');
        const count = req.data.readUInt16LE(p);
        p += 2;
        let offset: number | null = null;
        if (fragmented) {
          offset = req.data.readUInt32LE(p);
          p += 4;
        }
        this.database.writeElements(loc, handle === undefined ? { code } : { code, handle }, count, req.data.subarray(p), offset);
        return ok(req.service);
      }
      default: {
        if (req.data.length < 2) throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], 'Read-Modify-Write needs a mask size');
        const size = req.data.readUInt16LE(0);
        needData(req.data, 2 + size * 2, 'Read-Modify-Write');
        this.database.readModifyWrite(loc, req.data.subarray(2, 2 + size), req.data.subarray(2 + size, 2 + size * 2));
        return ok(req.service);
      }
    }
  }

  // Multiple Service Packet (CIP Vol 1 ): each service answered in order within the reply size left;
  // general status 0x1E when any embedded service failed (as Logix does).
  private multipleServicePacket(req: CipRequest, ctx: RequestContext): CipReply {
    const messages = decodeMultipleService(req.data);
    // Each later service keeps room for its smallest reply: a header and a 4-byte type (a partial read of nothing).
    const smallest = replyHeaderLength() + 4;
    let used = replyHeaderLength() + 2 + messages.length * 2;
    const replies: Buffer[] = [];
    let failed = false;
    for (const [i, m] of messages.entries()) {
      const room = Math.max(ctx.maxReply - used - smallest * (messages.length - 1 - i), smallest);
      let reply: CipReply =
        m[0] === CipService.MultipleServicePacket
          ? {
              service: CipService.MultipleServicePacket,
              generalStatus: CipGeneralStatus.ServiceNotSupported,
              extendedStatus: [],
              data: Buffer.alloc(0),
            }
          : this.run(m, { ...ctx, maxReply: room });
      let encoded = encodeCipReply(reply);
      if (encoded.length > room && reply.generalStatus === 0) {
        reply = { service: reply.service, generalStatus: CipGeneralStatus.ReplyDataTooLarge, extendedStatus: [], data: Buffer.alloc(0) };
        encoded = encodeCipReply(reply);
      }
      failed ||= reply.generalStatus !== 0;
      used += encoded.length;
      replies.push(encoded);
    }
    return {
      service: req.service,
      generalStatus: failed ? CipGeneralStatus.EmbeddedServiceError : 0,
      extendedStatus: [],
      data: encodeMultipleService(replies),
    };
  }

  // Unconnected Send (CIP Vol 1 §3-5.5.4): the route path must name this controller (port 1, our slot); the reply
  // is the embedded request's own reply. Routing errors answer 0x01 with 0x0311/0x0312 and the remaining path size.
  private unconnectedSend(req: CipRequest, ctx: RequestContext): CipReply {
    const us = decodeUnconnectedSend(req.data);
    const route = decodeEpath(us.routePath);
    const routeError = (ext: number, why: string) =>
      new CipStatusError(CipGeneralStatus.ConnectionFailure, [ext], why, Buffer.from([us.routePath.length / 2]));
    for (const seg of route) {
      if (seg.kind !== 'port') throw routeError(CipExtendedStatus.InvalidSegmentInPath, `Unexpected ${seg.kind} segment in the route path`);
      if (seg.port !== 1) throw routeError(CipExtendedStatus.PortNotAvailable, `Port ${seg.port} is not available`);
      if (seg.link.length !== 1 || seg.link[0] !== this.slot)
        throw routeError(CipExtendedStatus.LinkAddressNotValid, `No module at link ${seg.link.toString('hex')}`);
    }
    if (route.length > 1) throw routeError(CipExtendedStatus.InvalidSegmentInPath, 'The route path goes beyond this controller');
    return this.run(us.message, { ...ctx, connected: false, maxReply: Math.min(ctx.maxReply, UNCONNECTED_MAX_REPLY) });
  }

  // Forward Open / Large Forward Open (CIP Vol 1 §3-5.5.2): class 3 server connections to the Message Router.
  private forwardOpen(req: CipRequest, ctx: RequestContext, large: boolean): CipReply {
    const fo = decodeForwardOpen(req.data, large);
    const fail = (ext: number, why: string) =>
      new CipStatusError(CipGeneralStatus.ConnectionFailure, [ext], why, encodeConnectionFailureData(fo, 0));
    if ((fo.transportTrigger & 0x0f) !== 3)
      throw fail(
        CipExtendedStatus.TransportClassNotSupported,
        `Transport class ${fo.transportTrigger & 0x0f} is not supported; use class 3`,
      );
    const path = decodeEpath(fo.path);
    let i = 0;
    if (path[i]?.kind === 'port') {
      const port = path[i] as Extract<EpathSegment, { kind: 'port' }>;
      if (port.port !== 1) throw fail(CipExtendedStatus.PortNotAvailable, `Port ${port.port} is not available`);
      if (port.link.length !== 1 || port.link[0] !== this.slot)
        throw fail(CipExtendedStatus.LinkAddressNotValid, `No module at link ${port.link.toString('hex')}`);
      i += 1;
    }
    if (path[i]?.kind === 'key') i += 1;
    const target = objectAddress(path.slice(i));
    if (target?.classId !== CipClass.MessageRouter || target.instance !== 1) {
      throw fail(CipExtendedStatus.InvalidSegmentInPath, 'The connection path must end at the Message Router (class 0x02, instance 1)');
    }
    const maxSize = large ? 4002 : 511;
    if (fo.toParameters.size < 8 || fo.toParameters.size > maxSize || fo.otParameters.size < 8 || fo.otParameters.size > maxSize) {
      throw fail(
        CipExtendedStatus.InvalidConnectionSize,
        `Connection sizes ${fo.otParameters.size}/${fo.toParameters.size} are outside 8..${maxSize}`,
      );
    }
    if (ctx.connections.findByTriad(fo)) throw fail(CipExtendedStatus.DuplicateForwardOpen, 'A connection with this triad is already open');
    const conn: CipConnection = {
      otConnectionId: ctx.connections.allocateId(),
      toConnectionId: fo.toConnectionId,
      connectionSerial: fo.connectionSerial,
      originatorVendorId: fo.originatorVendorId,
      originatorSerial: fo.originatorSerial,
      toSize: fo.toParameters.size,
      otSize: fo.otParameters.size,
    };
    ctx.connections.byId.set(conn.otConnectionId, conn);
    return ok(req.service, encodeForwardOpenReply({ ...conn, otApi: fo.otRpi, toApi: fo.toRpi }));
  }

  // Forward Close (CIP Vol 1 §3-5.5.3): closes the connection named by the triad; unknown triads answer 0x01/0x0107.
  private forwardClose(req: CipRequest, ctx: RequestContext): CipReply {
    const fc = decodeForwardClose(req.data);
    const conn = ctx.connections.findByTriad(fc);
    if (!conn)
      throw new CipStatusError(
        CipGeneralStatus.ConnectionFailure,
        [CipExtendedStatus.ConnectionNotFound],
        'No connection with this triad',
        encodeConnectionFailureData(fc, 0),
      );
    ctx.connections.byId.delete(conn.otConnectionId);
    return ok(req.service, encodeForwardCloseReply(fc));
  }
}

function alignDown(n: number, a: number): number {
  return Math.floor(n / a) * a;
}
