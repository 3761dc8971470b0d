/**
 * The Logix (ControlLogix / CompactLogix) driver through `st-ethernet-ip`, the maintained, typed fork of
 * `ethernet-ip`: session and Forward Open (connected messaging, logix-connection.ts), controller identity from the
 * Identity object, tag-list browse (templates for STRING and UDTs, logix-browse.ts), every profile tag read through
 * Multiple Service Packets (TagGroup) by the Logix plan (logix-plan.ts), and single-tag writes read back.
 *
 * Library facts this module works around (found against our simulator, test/integration/logix-sim):
 * - it has no port option and always dials its EIP_PORT constant, so connects are serialised and the constant
 *   is pointed at the target's port for the moment of connecting;
 * - it cannot decode LREAL (its whole group read fails), so LREAL tags are reported bad with that reason;
 * - it packs Multiple Service Packets at about 300 request bytes, whatever the connection allows; the group's
 *   packing is replaced by the planner's (same per-tag Read Tag requests, from the library's own encoder), so
 *   each planned packet goes out as one request;
 * - it throws uncaught errors from its socket handler on a truncated reply: that is why this runs in the
 *   device process;
 * - a write needs the tag's type, which only a read of the tag teaches it; structures (STRING) ignore writeTag's
 *   value argument, so the tag's value is set before writing.
 */
import eip from 'st-ethernet-ip';
import { planLogix } from './logix-plan.ts';
import type { LogixProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { LogixAddress, LogixType } from '../../../src-shared/common/profile/logix-address.ts';
import type { ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';
import { toJsonValue, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { deviceError, withRetries } from '../device-error.ts';
import type { JobContext } from '../process/device-messages.ts';
import type { BrowseResult, ConnectRequest, Driver, DriverIdentity, DriverSession, PlanReadResult, PreparedWrite } from '../driver.ts';
import { browseTagList } from './logix-browse.ts';
import { connectLogix, describeLogix, logixRaw, withTimeout } from './logix-connection.ts';

const { Tag, TagGroup } = eip;
const { MessageRouter } = eip.EthernetIP.CIP;
const MULTIPLE_SERVICE_PACKET = 0x0a; // CIP Vol 1 §
type PlcTag = InstanceType<typeof Tag>;
type PlcController = Awaited<ReturnType<typeof connectLogix>>;
type LogixControllerTarget = Extract<ControllerTarget, { protocol: 'logix' }>;

interface GroupInternals {
  state: { path: Buffer };
  generateReadMessageRequests(): { data: Buffer; tag_ids: string[] }[];
}

/** Makes the TagGroup send the planner's Multiple Service Packets (CIP Vol 1 §: count, offsets, services). */
function usePlannedPacking(
  group: InstanceType<typeof TagGroup>,
  plan: ReturnType<typeof planLogix>,
  members: { tag: string; plcTag: PlcTag }[],
): void {
  const byTag = new Map(members.map((m) => [m.tag, m.plcTag]));
  const messages: { data: Buffer; tag_ids: string[] }[] = [];
  for (const read of plan.reads) {
    const requests: Buffer[] = [];
    const ids: string[] = [];
    for (const service of read.services) {
      const plcTag = service.tags.map((t) => byTag.get(t)).find((t) => t !== undefined);
      if (!plcTag) continue; // a tag left out of the group (LREAL)
      requests.push((plcTag as unknown as { generateReadMessageRequest(): Buffer }).generateReadMessageRequest());
      ids.push((plcTag as unknown as { instance_id: string }).instance_id);
    }
    if (requests.length === 0) continue;
    const header = Buffer.alloc(2 + 2 * requests.length);
    header.writeUInt16LE(requests.length, 0);
    let offset = header.length;
    requests.forEach((r, i) => {
      header.writeUInt16LE(offset, 2 + 2 * i);
      offset += r.length;
    });
    const internals = group as unknown as GroupInternals;
    messages.push({
      data: MessageRouter.build(MULTIPLE_SERVICE_PACKET, internals.state.path, Buffer.concat([header, ...requests])),
      tag_ids: ids,
    });
  }
  // Tags that share one path appear once in the plan; every member must be in some packet.
  const planned = new Set(messages.flatMap((m) => m.tag_ids));
  if (members.every((m) => planned.has((m.plcTag as unknown as { instance_id: string }).instance_id))) {
    (group as unknown as GroupInternals).generateReadMessageRequests = () => messages;
  }
}

function refuse(message: string, hint: string): never {
  throw new BaselineError('restore-refused', message, `${hint} Nothing was written.`);
}

class LogixSession implements DriverSession<LogixProfile> {
  readonly controller: string;
  private readonly plc: PlcController;
  private readonly target: LogixControllerTarget;
  private readonly options: { timeoutMs: number; retries: number };

  constructor(plc: PlcController, target: LogixControllerTarget, options: { timeoutMs: number; retries: number }) {
    this.plc = plc;
    this.target = target;
    this.options = options;
    this.controller = describeLogix(target);
  }

  identity(): Promise<DriverIdentity> {
    // Read at connect (the Identity object); no request of its own.
    const p = this.plc.properties as {
      name?: string;
      serial_number?: number;
      version?: string;
      run?: boolean;
      program?: boolean;
      faulted?: boolean;
    };
    const identity: Record<string, string> = {};
    if (p.name) identity['productName'] = p.name;
    if (p.serial_number !== undefined) identity['serialNumber'] = p.serial_number.toString(16).padStart(8, '0');
    if (p.version) identity['firmware'] = p.version;
    identity['mode'] = p.faulted ? 'faulted' : p.run ? 'run' : p.program ? 'program' : 'unknown';
    return Promise.resolve({ identity, requests: 0 });
  }

  async readPlan(profile: LogixProfile, ctx: JobContext): Promise<PlanReadResult> {
    const { plc, controller, options } = this;
    const plan = planLogix(profile.tags);
    let frames = 0;
    const socketWrite = plc.write.bind(plc) as (...args: unknown[]) => boolean;
    (plc as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
      const buf = args[0];
      // Encapsulation command 0x6F SendRRData / 0x70 SendUnitData carries one CIP request (Vol 2 §2-4).
      if (Buffer.isBuffer(buf) && buf.length >= 24 && (buf.readUInt16LE(0) === 0x6f || buf.readUInt16LE(0) === 0x70)) frames++;
      return socketWrite(...args);
    };
    const values = new Map<string, CapturedValue>();
    let failure: BaselineError | null = null;
    const group = new TagGroup();
    const members: { tag: string; type: LogixType; plcTag: PlcTag }[] = [];
    for (const t of profile.tags) {
      if (t.type === 'LREAL') {
        values.set(t.tag, {
          tag: t.tag,
          value: null,
          raw: null,
          quality: 'bad',
          error: `${controller}: LREAL ${t.address} cannot be decoded by the EtherNet/IP library (st-ethernet-ip); not read`,
        });
        continue;
      }
      const plcTag = (t.type === 'STRING' ? plc.newTag(t.address, undefined, false) : new Tag(t.address)) as PlcTag;
      plcTag.on('Unknown', () => {
        values.set(t.tag, {
          tag: t.tag,
          value: null,
          raw: null,
          quality: 'bad',
          error: `${controller}: reading ${t.address}: the controller answered CIP status 0x04 (no such tag)`,
        });
      });
      group.add(plcTag);
      members.push({ tag: t.tag, type: t.type, plcTag });
    }
    if (members.length > 0) {
      usePlannedPacking(group, plan, members);
      // Cancelling closes the connection: the library has no way to abandon a group read half-way.
      const onAbort = () => plc.destroy();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await withRetries(options.retries, ctx.signal, () =>
          withTimeout(plc.readTagGroup(group), options.timeoutMs * (plan.requests + 2), () =>
            deviceError('timeout', controller, 'reading tags', 'no complete answer within the timeout'),
          ),
        );
        if (ctx.signal.aborted) throw deviceError('cancelled', controller, 'reading tags', 'cancelled');
      } catch (caught) {
        const err = ctx.signal.aborted ? deviceError('cancelled', controller, 'reading tags', 'cancelled') : caught;
        const e = err as { generalStatusCode?: number; message?: string };
        failure =
          err instanceof Error && 'hint' in err
            ? (err as BaselineError)
            : deviceError(
                'protocol',
                controller,
                'reading tags',
                typeof e.generalStatusCode === 'number' ? `CIP status 0x${e.generalStatusCode.toString(16)}` : (e.message ?? String(err)),
              );
      }
      ctx.signal.removeEventListener('abort', onAbort);
      for (const m of members) {
        if (values.has(m.tag)) continue;
        const v = m.plcTag.value as unknown;
        if (failure || v === undefined || v === null) {
          values.set(m.tag, {
            tag: m.tag,
            value: null,
            raw: null,
            quality: 'bad',
            error: failure ? `not read: ${failure.message}` : 'no value came back',
          });
          continue;
        }
        values.set(m.tag, {
          tag: m.tag,
          value: toJsonValue(v as number | boolean | bigint | string),
          raw: logixRaw(m.type, v),
          quality: 'good',
        });
      }
    }
    ctx.progress({ done: values.size, total: profile.tags.length, detail: `${frames} requests` });
    const out = profile.tags.map(
      (t) => values.get(t.tag) ?? { tag: t.tag, value: null, raw: null, quality: 'bad' as const, error: 'not read' },
    );
    return {
      values: out,
      requests: frames,
      plannedRequests: plan.requests,
      minimumRequests: plan.minimumRequests,
      negotiated: { packetSize: plan.limits.packetSize },
      failure,
    };
  }

  private tagOf(w: PreparedWrite): PlcTag {
    const a = w.tag.location as LogixAddress;
    return (a.type === 'STRING' ? this.plc.newTag(w.tag.address, undefined, false) : new Tag(w.tag.address)) as PlcTag;
  }

  async write(w: PreparedWrite): Promise<void> {
    const a = w.tag.location as LogixAddress;
    const tag = this.tagOf(w);
    try {
      await this.plc.readTag(tag); // learns the tag's type, which the write needs
      // Structures (STRING) ignore writeTag's value argument; setting the tag's value works for every type.
      (tag as { value: unknown }).value = a.type === 'LINT' ? BigInt(w.value as string | number) : w.value;
      await this.plc.writeTag(tag);
    } catch (err) {
      const e = err as { generalStatusCode?: number; message?: string };
      throw deviceError(
        'protocol',
        describeLogix(this.target),
        `writing ${w.tag.address}`,
        typeof e.generalStatusCode === 'number'
          ? `the controller answered CIP status 0x${e.generalStatusCode.toString(16).padStart(2, '0')}`
          : (e.message ?? String(err)),
      );
    }
  }

  async readBack(w: PreparedWrite): Promise<Uint8Array> {
    const a = w.tag.location as LogixAddress;
    const tag = this.tagOf(w);
    await this.plc.readTag(tag);
    return Buffer.from(logixRaw(a.type, tag.value) ?? '', 'hex');
  }

  browse(ctx: JobContext): Promise<BrowseResult> {
    return Promise.resolve(browseTagList(this.plc, ctx));
  }

  async close(): Promise<void> {
    await withTimeout(this.plc.disconnect(), 2000, () => new Error('disconnect timed out')).catch(() => this.plc.destroy());
  }
}

/** Rockwell ControlLogix / CompactLogix over EtherNet/IP (CIP). */
export const logixDriver: Driver<LogixControllerTarget, LogixProfile> = {
  protocol: 'logix',
  browses: true,
  encodeWrite(tag, v) {
    const a = tag.location;
    const int = (min: number, max: number) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
        refuse(`Tag ${tag.tag} is ${a.type} but the value is ${JSON.stringify(v)}.`, `Give a whole number from ${min} to ${max}.`);
    };
    switch (a.type) {
      case 'BOOL':
        if (typeof v !== 'boolean') refuse(`Tag ${tag.tag} is BOOL but the value is ${JSON.stringify(v)}.`, 'Give true or false.');
        break;
      case 'SINT':
        int(-128, 127);
        break;
      case 'INT':
        int(-32768, 32767);
        break;
      case 'DINT':
        int(-2147483648, 2147483647);
        break;
      case 'LINT':
        if (!(typeof v === 'string' && /^-?\d+$/.test(v)) && !(typeof v === 'number' && Number.isSafeInteger(v)))
          refuse(`Tag ${tag.tag} is LINT but the value is ${JSON.stringify(v)}.`, 'Give a whole number (as a string beyond 2^53).');
        break;
      case 'REAL':
        if (typeof v !== 'number') refuse(`Tag ${tag.tag} is REAL but the value is ${JSON.stringify(v)}.`, 'Give a number.');
        break;
      case 'STRING':
        if (typeof v !== 'string' || v.length > 82)
          refuse(`Tag ${tag.tag} is a STRING of at most 82 characters; the value is ${JSON.stringify(v)}.`, 'Give a shorter text.');
        break;
      case 'LREAL':
        refuse(
          `Tag ${tag.tag} is LREAL, which the EtherNet/IP library cannot write.`,
          'Restore it with Studio 5000 as part of the guided procedure.',
        );
    }
    const value = a.type === 'LINT' ? BigInt(v as string | number) : v;
    return Buffer.from(logixRaw(a.type, value)!, 'hex');
  },
  async connect(req: ConnectRequest<LogixControllerTarget>) {
    // The tag-list browse (and the templates it fetches) is only needed to decode STRING and structures.
    const plc = await connectLogix(req.target, req.options.timeoutMs, req.tagList || req.tags.some((t) => t.type === 'STRING'));
    return new LogixSession(plc, req.target, req.options);
  },
};
