/**
 * Byte-level tests of the simulated Logix controller against hand-written spec layouts (test/fixtures/logix):
 * each request is also built with st-ethernet-ip's own encoders, so the fixtures are what the real client sends,
 * and each reply must match the fixture byte for byte.
 */
import { describe, expect, it } from 'vitest';
import eip from 'st-ethernet-ip';
import {
  encodeCpf,
  encodeEncapsulation,
  encodeSendData,
  CpfItemType,
  EncapsulationCommand,
} from '../../../src-main/devices/simulator/logix/encapsulation.ts';
import { FIXTURE_SESSION, fixtureController, fixtureSession, unconnected } from './fixture-controller.ts';
import { hex, loadExchange, loadExchanges } from './hex-fixture.ts';

const { EthernetIP, Tag, TagGroup } = eip;
const { encapsulation, CIP } = EthernetIP;

function registered() {
  const session = fixtureSession();
  session.handleFrame(loadExchange('register-session.hex').request);
  return session;
}

describe('EtherNet/IP frames of the simulated Logix controller', () => {
  it('RegisterSession: st-ethernet-ip sends the spec layout and the reply matches it byte for byte', () => {
    const { request, reply } = loadExchange('register-session.hex');
    expect(hex(encapsulation.registerSession())).toBe(hex(request));
    const out = fixtureSession().handleFrame(request);
    expect(out.replies.map(hex)).toEqual([hex(reply)]);
    expect(encapsulation.header.parse(out.replies[0] as Buffer)).toMatchObject({
      commandCode: 0x65,
      session: FIXTURE_SESSION,
      statusCode: 0,
    });
  });

  it('SendRRData with Unconnected Send carrying Read Tag: request as st-ethernet-ip builds it, reply byte-exact', () => {
    const { request, reply } = loadExchange('unconnected-read-tag.hex');
    const readTag = new Tag('Speed').generateReadMessageRequest();
    const ucmm = CIP.UnconnectedSend.build(readTag, CIP.EPATH.segments.PORT.build(1, 0), 2000);
    expect(hex(encapsulation.sendRRData(FIXTURE_SESSION, ucmm, 10))).toBe(hex(request));

    const out = registered().handleFrame(request);
    expect(out).toMatchObject({ cipRequest: true, close: false });
    expect(out.replies.map(hex)).toEqual([hex(reply)]);

    // And st-ethernet-ip decodes the reply to the value.
    const parsed = encapsulation.header.parse(out.replies[0] as Buffer);
    const items = encapsulation.CPF.parse(parsed.data.subarray(6));
    const mr = CIP.MessageRouter.parse((items[1] as { data: Buffer }).data);
    const tag = new Tag('Speed');
    tag.parseReadMessageResponse(mr.data);
    expect(tag.value).toBe(12.5);
  });

  it("Multiple Service Packet with two Read Tags: request as st-ethernet-ip's TagGroup builds it, reply byte-exact", () => {
    const { request, reply } = loadExchange('multiple-service-read.hex');
    const group = new TagGroup();
    group.add(new Tag('Speed'));
    group.add(new Tag('Count'));
    const [built, ...more] = group.generateReadMessageRequests();
    expect(more).toHaveLength(0);
    expect(hex((built as { data: Buffer }).data)).toBe(hex(request));
    expect(hex(fixtureController().execute(request, unconnected()))).toBe(hex(reply));
  });

  it('Forward Open: request as st-ethernet-ip builds it, reply byte-exact; then a connected Read Tag over it', () => {
    const { request, reply } = loadExchange('forward-open.hex');
    const { LOGICAL, PORT } = CIP.EPATH.segments;
    const cm = CIP.ConnectionManager;
    const params = cm.build_connectionParameters(
      cm.owner.Exclusive,
      cm.connectionType.PointToPoint,
      cm.priority.Low,
      cm.fixedVar.Variable,
      500,
    );
    const path = Buffer.concat([
      PORT.build(1, 0),
      LOGICAL.build(LOGICAL.types.ClassID, 0x02),
      LOGICAL.build(LOGICAL.types.InstanceID, 0x01),
    ]);
    const built = Buffer.concat([
      CIP.MessageRouter.build(
        0x54,
        Buffer.concat([LOGICAL.build(LOGICAL.types.ClassID, 0x06), LOGICAL.build(LOGICAL.types.InstanceID, 1)]),
        Buffer.alloc(0),
      ),
      cm.build_forwardOpen(30000, params, 1000, 512, 0x0042, 0x11223344),
      Buffer.from([path.length / 2]),
      path,
    ]);
    expect(hex(built)).toBe(hex(request));

    // Through a registered session, wrapped in SendRRData as st-ethernet-ip sends it (no Unconnected Send).
    const session = registered();
    const out = session.handleFrame(encapsulation.sendRRData(FIXTURE_SESSION, request, 10));
    const items = encapsulation.CPF.parse(encapsulation.header.parse(out.replies[0] as Buffer).data.subarray(6));
    expect(hex((items[1] as { data: Buffer }).data)).toBe(hex(reply));

    const connected = loadExchange('connected-read-tag.hex');
    expect(hex(encapsulation.sendUnitData(FIXTURE_SESSION, new Tag('Count').generateReadMessageRequest(), 0x0a0b0c0d, 7))).toBe(
      hex(connected.request),
    );
    expect(session.handleFrame(connected.request).replies.map(hex)).toEqual([hex(connected.reply)]);
  });

  it('tag-list browse (Get Instance Attribute List on the Symbol object) matches the spec layout', () => {
    const { request, reply } = loadExchange('browse-tag-list.hex');
    const list = new eip.TagList() as unknown as {
      _generateListMessageRequest(id: number): Buffer;
      _parseAttributeListResponse(d: Buffer): number;
      tags: unknown[];
    };
    expect(hex(list._generateListMessageRequest(0))).toBe(hex(request));
    const answer = fixtureController().execute(request, unconnected());
    expect(hex(answer)).toBe(hex(reply));
    list._parseAttributeListResponse(answer.subarray(4));
    expect(list.tags).toHaveLength(5);
  });

  it('Template object of STRING: attributes and definition match the spec layout', () => {
    const [attrs, definition] = loadExchanges('template-string.hex');
    const controller = fixtureController();
    for (const x of [attrs, definition]) {
      if (!x) throw new Error('fixture incomplete');
      expect(hex(controller.execute(x.request, unconnected()))).toBe(hex(x.reply));
    }
  });

  it('answers CIP errors with the status codes of the spec and of Logix', () => {
    const exchanges = loadExchanges('cip-errors.hex');
    expect(exchanges.length).toBeGreaterThanOrEqual(10);
    const controller = fixtureController();
    for (const x of exchanges) expect(hex(controller.execute(x.request, unconnected()))).toBe(hex(x.reply));
    // The failed write to the read-only tag left it alone.
    expect(controller.database.getValue('Locked')).toBe(7);
    expect(controller.database.getValue('Count')).toBe(42);
  });

  it('answers encapsulation errors with the status of Vol 2 Table 2-3.3 and echoes the sender context', () => {
    for (const x of loadExchanges('encapsulation-errors.hex')) {
      expect(fixtureSession().handleFrame(x.request).replies.map(hex)).toEqual([hex(x.reply)]);
    }
  });

  it('drops SendUnitData for a connection that is not open, and refuses malformed CPF with 0x0003', () => {
    const session = registered();
    const stray = encapsulation.sendUnitData(FIXTURE_SESSION, new Tag('Count').generateReadMessageRequest(), 0x99, 1);
    expect(session.handleFrame(stray)).toEqual({ replies: [], close: false, cipRequest: false });
    const wrongItems = encodeEncapsulation({
      command: EncapsulationCommand.SendRRData,
      session: FIXTURE_SESSION,
      status: 0,
      context: Buffer.alloc(8),
      options: 0,
      data: encodeSendData({
        interfaceHandle: 0,
        timeout: 0,
        items: [{ type: CpfItemType.UnconnectedData, data: Buffer.from([0x4c, 0]) }],
      }),
    });
    const reply = session.handleFrame(wrongItems).replies[0] as Buffer;
    expect(reply.readUInt32LE(8)).toBe(0x0003);
    expect(encodeCpf([]).length).toBe(2);
  });
});
