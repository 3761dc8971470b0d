/** The encapsulation layer (CIP Vol 2 ch. 2): header, framer, Common Packet Format, session commands. */
import { describe, expect, it } from 'vitest';
import eip from 'st-ethernet-ip';
import {
  CpfItemType,
  decodeCpf,
  decodeEncapsulation,
  EncapsulationCommand,
  EncapsulationFramer,
  encodeCpf,
  encodeEncapsulation,
  ENCAPSULATION_HEADER_LENGTH,
} from '../../../src-main/devices/simulator/logix/encapsulation.ts';
import { EnipFrameError } from '../../../src-main/devices/simulator/logix/cip-status.ts';
import { FIXTURE_SESSION, fixtureSession } from './fixture-controller.ts';
import { loadExchange } from './hex-fixture.ts';

const frame = (command: number, data = Buffer.alloc(0), session = 0, context = Buffer.from('ctx-1234')) =>
  encodeEncapsulation({ command, session, status: 0, context, options: 0, data });

describe('encapsulation header (Vol 2 §2-3.1)', () => {
  it('decodes the fields of the RegisterSession fixture', () => {
    const { request } = loadExchange('register-session.hex');
    expect(decodeEncapsulation(request)).toEqual({
      command: 0x65,
      session: 0,
      status: 0,
      context: Buffer.alloc(8),
      options: 0,
      data: Buffer.from([1, 0, 0, 0]),
    });
  });

  it('refuses a header shorter than 24 bytes or a length that disagrees with the data (0x0065)', () => {
    expect(() => decodeEncapsulation(Buffer.alloc(10))).toThrow(EnipFrameError);
    const bad = frame(EncapsulationCommand.Nop, Buffer.alloc(4));
    bad.writeUInt16LE(9, 2);
    try {
      decodeEncapsulation(bad);
      throw new Error('expected a failure');
    } catch (err) {
      expect((err as EnipFrameError).encapsulationStatus).toBe(0x0065);
    }
  });
});

describe('framer', () => {
  it('reassembles frames split across reads and splits frames sharing a read', () => {
    const a = frame(EncapsulationCommand.Nop, Buffer.from('abc'));
    const b = frame(EncapsulationCommand.ListServices);
    const c = frame(EncapsulationCommand.Nop, Buffer.alloc(300, 7));
    const stream = Buffer.concat([a, b, c]);
    const framer = new EncapsulationFramer();
    const out: Buffer[] = [];
    let fed = 0;
    for (const cut of [5, 20, 32, 100, stream.length]) {
      out.push(...framer.push(stream.subarray(fed, cut)));
      fed = cut;
    }
    expect(out.map((f) => f.toString('hex'))).toEqual([a, b, c].map((f) => f.toString('hex')));
    expect(framer.buffered).toBe(0);
    expect(new EncapsulationFramer().push(Buffer.concat([a, b]))).toHaveLength(2);
    expect(new EncapsulationFramer().push(a.subarray(0, ENCAPSULATION_HEADER_LENGTH))).toHaveLength(0);
  });
});

describe('Common Packet Format (Vol 2 §2-6)', () => {
  it('encodes items as count, then type, length and data each, as st-ethernet-ip parses them', () => {
    const items = [
      { type: CpfItemType.NullAddress, data: Buffer.alloc(0) },
      { type: CpfItemType.UnconnectedData, data: Buffer.from('0102', 'hex') },
    ];
    const bytes = encodeCpf(items);
    expect(bytes.toString('hex')).toBe('0200' + '00000000' + 'b2000200' + '0102');
    expect(decodeCpf(bytes)).toEqual(items);
    expect(eip.EthernetIP.encapsulation.CPF.parse(bytes).map((i) => ({ type: i.TypeID, data: i.data }))).toEqual(items);
  });

  it('refuses counts and lengths that run past the end, and trailing bytes, with 0x0003', () => {
    for (const bad of ['0100', '0100b2000500aabb', '0000ff']) {
      try {
        decodeCpf(Buffer.from(bad, 'hex'));
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect((err as EnipFrameError).encapsulationStatus).toBe(0x0003);
      }
    }
  });
});

describe('session commands (Vol 2 §2-4)', () => {
  it("ListIdentity answers the CIP Identity item that st-ethernet-ip's browser parses", () => {
    const out = fixtureSession().handleFrame(frame(EncapsulationCommand.ListIdentity));
    const reply = out.replies[0] as Buffer;
    expect(decodeEncapsulation(reply).data.readUInt16LE(2)).toBe(CpfItemType.ListIdentity);
    const parse = (eip.Browser.prototype as unknown as { _parseListIdentityResponse(m: Buffer): Record<string, unknown> })
      ._parseListIdentityResponse;
    expect(parse.call({}, reply)).toMatchObject({
      EncapsulationVersion: 1,
      socketAddress: { sin_family: 2, sin_port: 44818, sin_addr: '127.0.0.1' },
      vendorID: 1,
      deviceType: 14,
      productCode: 166,
      revision: '33.11',
      status: 0x60,
      serialNumber: '0xc0ffee',
      productName: '1756-L83E/B',
      state: 3,
    });
  });

  it('ListServices announces CIP over TCP; ListInterfaces none; NOP gets no reply', () => {
    const session = fixtureSession();
    const services = decodeEncapsulation(session.handleFrame(frame(EncapsulationCommand.ListServices)).replies[0] as Buffer);
    const [item] = decodeCpf(services.data);
    expect(item?.type).toBe(0x0100);
    expect((item?.data.readUInt16LE(2) ?? 0) & 0x0020).toBe(0x0020);
    expect(item?.data.subarray(4).toString('latin1').replace(/\0+$/, '')).toBe('Communications');
    expect(
      decodeEncapsulation(session.handleFrame(frame(EncapsulationCommand.ListInterfaces)).replies[0] as Buffer).data.toString('hex'),
    ).toBe('0000');
    expect(session.handleFrame(frame(EncapsulationCommand.Nop, Buffer.from('x'))).replies).toHaveLength(0);
  });

  it('echoes the sender context, refuses a second RegisterSession, and closes on UnregisterSession', () => {
    const session = fixtureSession();
    const first = decodeEncapsulation(
      session.handleFrame(frame(EncapsulationCommand.RegisterSession, Buffer.from([1, 0, 0, 0]))).replies[0] as Buffer,
    );
    expect(first).toMatchObject({ session: FIXTURE_SESSION, status: 0, context: Buffer.from('ctx-1234') });
    expect(session.sessionHandle).toBe(FIXTURE_SESSION);
    const second = decodeEncapsulation(
      session.handleFrame(frame(EncapsulationCommand.RegisterSession, Buffer.from([1, 0, 0, 0]))).replies[0] as Buffer,
    );
    expect(second.status).toBe(0x0001);
    expect(session.handleFrame(frame(EncapsulationCommand.UnregisterSession, Buffer.alloc(0), FIXTURE_SESSION))).toEqual({
      replies: [],
      close: true,
      cipRequest: false,
    });
    expect(session.sessionHandle).toBe(0);
  });
});
