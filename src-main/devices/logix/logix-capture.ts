/**
 * A Logix (ControlLogix / CompactLogix) capture through `st-ethernet-ip`, the maintained, typed fork of
 * `ethernet-ip`: session and Forward Open (connected messaging), controller identity from the Identity object,
 * tag-list browse (templates for STRING and UDTs), and every profile tag read through Multiple Service Packets
 * (TagGroup). Nothing is written here.
 *
 * Library facts this module works around (found against our simulator, test/integration/logix-sim):
 * - it has no port option and always dials its EIP_PORT constant, so connects are serialised and the constant
 *   is pointed at the target's port for the moment of connecting;
 * - it cannot decode LREAL (its whole group read fails), so LREAL tags are reported bad with that reason;
 * - it packs Multiple Service Packets at about 300 request bytes, whatever the connection allows; the group's
 *   packing is replaced by the planner's (same per-tag Read Tag requests, from the library's own encoder), so
 *   each planned packet goes out as one request;
 * - it throws uncaught errors from its socket handler on a truncated reply: that is why this runs in the
 *   device process.
 */
import eip from 'st-ethernet-ip';
import { planLogix } from '../../../src-shared/common/capture-plan/logix-plan.ts';
import type { LogixProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import type { LogixType } from '../../../src-shared/common/profile/logix-address.ts';
import type { CaptureOptions, ControllerTarget } from '../../../src-shared/common/capture/controller-target.ts';
import { toJsonValue, type CaptureJobResult, type CapturedValue } from '../../../src-shared/common/capture/capture-result.ts';
import { toErrorData, type BaselineError } from '../../../src-shared/common/errors.ts';
import { deviceError, withRetries } from '../device-error.ts';
import { connectLogix, describeLogix, logixRaw, withTimeout } from './logix-connection.ts';
import type { JobContext } from '../process/device-messages.ts';

const { Tag, TagGroup } = eip;
const { MessageRouter } = eip.EthernetIP.CIP;
const MULTIPLE_SERVICE_PACKET = 0x0a; // CIP Vol 1 §
type PlcTag = InstanceType<typeof Tag>;

interface GroupInternals {
  state: { path: Buffer };
  generateReadMessageRequests(): { data: Buffer; tag_ids: string[] }[];
}

/** Makes the TagGroup send the planner's Multiple Service Packets (CIP Vol 1 §: count, offsets, services). */
function usePlannedPacking(group: InstanceType<typeof TagGroup>, plan: ReturnType<typeof planLogix>, members: { tag: string; plcTag: PlcTag }[]): void {
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
    messages.push({ data: MessageRouter.build(MULTIPLE_SERVICE_PACKET, internals.state.path, Buffer.concat([header, ...requests])), tag_ids: ids });
  }
  // Tags that share one path appear once in the plan; every member must be in some packet.
  const planned = new Set(messages.flatMap((m) => m.tag_ids));
  if (members.every((m) => planned.has((m.plcTag as unknown as { instance_id: string }).instance_id))) {
    (group as unknown as GroupInternals).generateReadMessageRequests = () => messages;
  }
}

/** Runs a Logix capture. */
export async function captureLogix(target: Extract<ControllerTarget, { protocol: 'logix' }>, profile: LogixProfile, options: CaptureOptions, ctx: JobContext): Promise<CaptureJobResult> {
  const started = performance.now();
  const controller = describeLogix(target);
  const plan = planLogix(profile.tags);
  const plc = await connectLogix(target, options.timeoutMs, profile.tags.some((t) => t.type === 'STRING'));
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
  const p = plc.properties as { name?: string; serial_number?: number; version?: string; run?: boolean; program?: boolean; faulted?: boolean };
  const identity: Record<string, string> = {};
  if (p.name) identity['productName'] = p.name;
  if (p.serial_number !== undefined) identity['serialNumber'] = p.serial_number.toString(16).padStart(8, '0');
  if (p.version) identity['firmware'] = p.version;
  identity['mode'] = p.faulted ? 'faulted' : p.run ? 'run' : p.program ? 'program' : 'unknown';
  try {
    const group = new TagGroup();
    const members: { tag: string; type: LogixType; plcTag: PlcTag }[] = [];
    for (const t of profile.tags) {
      if (t.type === 'LREAL') {
        values.set(t.tag, { tag: t.tag, value: null, raw: null, quality: 'bad', error: `${controller}: LREAL ${t.address} cannot be decoded by the EtherNet/IP library (st-ethernet-ip); not read` });
        continue;
      }
      const plcTag = (t.type === 'STRING' ? plc.newTag(t.address, undefined, false) : new Tag(t.address)) as PlcTag;
      plcTag.on('Unknown', () => {
        values.set(t.tag, { tag: t.tag, value: null, raw: null, quality: 'bad', error: `${controller}: reading ${t.address}: the controller answered CIP status 0x04 (no such tag)` });
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
        await withRetries(options.retries, ctx.signal, () => withTimeout(plc.readTagGroup(group), options.timeoutMs * (plan.requests + 2),
          () => deviceError('timeout', controller, 'reading tags', 'no complete answer within the timeout')));
        if (ctx.signal.aborted) throw deviceError('cancelled', controller, 'reading tags', 'cancelled');
      } catch (caught) {
        const err = ctx.signal.aborted ? deviceError('cancelled', controller, 'reading tags', 'cancelled') : caught;
        const e = err as { generalStatusCode?: number; message?: string };
        failure = err instanceof Error && 'hint' in err ? err as BaselineError
          : deviceError('protocol', controller, 'reading tags', typeof e.generalStatusCode === 'number' ? `CIP status 0x${e.generalStatusCode.toString(16)}` : (e.message ?? String(err)));
      }
      ctx.signal.removeEventListener('abort', onAbort);
      for (const m of members) {
        if (values.has(m.tag)) continue;
        const v = m.plcTag.value as unknown;
        if (failure || v === undefined || v === null) {
          values.set(m.tag, { tag: m.tag, value: null, raw: null, quality: 'bad', error: failure ? `not read: ${failure.message}` : 'no value came back' });
          continue;
        }
        values.set(m.tag, { tag: m.tag, value: toJsonValue(v as number | boolean | bigint | string), raw: logixRaw(m.type, v), quality: 'good' });
      }
    }
    ctx.progress({ done: values.size, total: profile.tags.length, detail: `${frames} requests` });
  } finally {
    await withTimeout(plc.disconnect(), 2000, () => new Error('disconnect timed out')).catch(() => plc.destroy());
  }
  const out = profile.tags.map((t) => values.get(t.tag) ?? { tag: t.tag, value: null, raw: null, quality: 'bad' as const, error: 'not read' });
  return {
    identity,
    values: out,
    requests: frames,
    identityRequests: 0,
    plannedRequests: plan.requests,
    minimumRequests: plan.minimumRequests,
    negotiated: { packetSize: plan.limits.packetSize },
    durationMs: Math.round(performance.now() - started),
    complete: out.every((v) => v.quality === 'good'),
    failure: failure ? toErrorData(failure) : null,
  };
}
