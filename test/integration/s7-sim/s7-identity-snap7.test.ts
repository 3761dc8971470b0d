import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIsoFrame } from '../../../src-main/devices/s7/s7comm/iso-on-tcp.ts';
import {
  ROSCTR,
  encodeReadSzlResponse,
  encodeS7Frame,
  encodeSetupCommunication,
  encodeUserdataParam,
  frameS7Pdu,
} from '../../../src-main/devices/s7/s7comm/s7-frames.ts';
import { encodeComponentTextRecord, encodeSzlList } from '../../../src-main/devices/s7/s7comm/szl-records.ts';
import { readS7Identity } from '../../../src-main/devices/s7/s7comm/s7-identity.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { freeLoopbackPort } from '../../../src-main/devices/simulator/free-port.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { startSnap7Peer, type S7Peer } from '../../helpers/snap7-peer.ts';

async function failure(p: Promise<unknown>): Promise<BaselineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a failure');
}

/** A peer on 127.0.0.1 that answers each request frame with the next scripted reply (or stays silent past the script). */
async function scriptedPeer(replies: Uint8Array[]): Promise<{ port: number; closedByClient: Promise<void>; server: Server }> {
  let closed!: () => void;
  const closedByClient = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const server = createServer((socket: Socket) => {
    let n = 0;
    socket.on('data', () => {
      const reply = replies[n++];
      if (reply) socket.write(reply);
    });
    socket.on('close', () => closed());
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, closedByClient, server };
}

const CC = encodeIsoFrame({ type: 'CC', dstRef: 1, srcRef: 1, classOption: 0, params: {} });
const SETUP_OK = encodeS7Frame({
  rosctr: ROSCTR.ackData,
  pduRef: 1,
  param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 240 }),
});

describe("readS7Identity against Snap7's S7Server (independent peer)", () => {
  let peer: S7Peer;
  beforeAll(async () => {
    peer = await startSnap7Peer({ 1: Buffer.alloc(16) });
  });
  afterAll(() => peer?.stop());

  it('reads the order number, firmware, names and serial number Snap7 answers in SZL 0x0011 and 0x001C', async () => {
    const id = await readS7Identity({ host: '127.0.0.1', port: peer.port, rack: 0, slot: 1, timeoutMs: 2000 });
    // Snap7's built-in CPU data (see test/fixtures/s7/read-szl.hex, captured from the same server).
    expect(id).toEqual({
      orderNumber: '6ES7 315-2EH14-0AB0',
      firmware: 'V3.2.6',
      plcName: 'SNAP7-SERVER',
      moduleName: 'CPU 315-2 PN/DP',
      serialNumber: 'S C-C2UR28922012',
      moduleTypeName: 'CPU 315-2 PN/DP',
    });
  });

  it('works again and again on fresh connections (each closed after use)', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await readS7Identity({ host: '127.0.0.1', port: peer.port, rack: 0, slot: 2, timeoutMs: 2000 })).orderNumber).toBe(
        '6ES7 315-2EH14-0AB0',
      );
    }
  });

  it('a refused connection is a device-refused error naming the controller', async () => {
    const port = await freeLoopbackPort(); // nothing listens there any more
    const e = await failure(readS7Identity({ host: '127.0.0.1', port, rack: 0, slot: 1, timeoutMs: 1000 }));
    expect(e.code).toBe('device-refused');
    expect(e.message).toBe(`S7 127.0.0.1:${port} rack 0 slot 1: connecting: connection refused.`);
  });

  it('a peer that accepts and never answers (fault proxy "drop" in front of Snap7) times out at the COTP connect', async () => {
    const proxy = await startFaultProxy(peer.port, { kind: 'drop' });
    try {
      const started = Date.now();
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 400 }));
      expect(e.code).toBe('device-timeout');
      expect(e.message).toMatch(/rack 0 slot 1: connecting \(COTP\): no answer within 400 ms\.$/);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await proxy.close();
    }
  });

  it('closes its socket after a timeout', async () => {
    const silent = await scriptedPeer([CC, SETUP_OK]); // answers the connect and the setup, then nothing
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: silent.port, rack: 0, slot: 1, timeoutMs: 300 }));
      expect(e.code).toBe('device-timeout');
      expect(e.message).toMatch(/reading SZL 0x0011: no answer within 300 ms/);
      await silent.closedByClient;
    } finally {
      silent.server.close();
    }
  });

  it('a peer that closes mid-reply (fault proxy "truncate") is device-closed', async () => {
    const proxy = await startFaultProxy(peer.port, { kind: 'truncate' });
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-closed');
      expect(e.message).toMatch(/connecting \(COTP\): the CPU closed the connection/);
    } finally {
      await proxy.close();
    }
  });

  it('a peer that is not S7 (answers with text) is device-malformed, and the socket is closed', async () => {
    const http = await scriptedPeer([Uint8Array.from(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: http.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-malformed');
      expect(e.message).toBe(
        `S7 127.0.0.1:${http.port} rack 0 slot 1: connecting (COTP): Malformed TPKT header: version 72, expected 3 (RFC 1006).`,
      );
      await http.closedByClient;
    } finally {
      http.server.close();
    }
  });

  it('a truncated SZL item and an answer to another PDU reference are device-malformed', async () => {
    // Userdata Read SZL response (PDU reference 2, the client's first SZL request) announcing 120 bytes of data, carrying 8.
    const cut = encodeS7Frame({
      rosctr: ROSCTR.userdata,
      pduRef: 2,
      param: encodeUserdataParam({
        method: 0x12,
        type: 8,
        group: 4,
        subfunction: 1,
        sequence: 0,
        dataUnitRef: 0,
        lastDataUnit: true,
        errorCode: 0,
      }),
      data: Uint8Array.from(Buffer.from('ff09007800110000001c0004', 'hex')),
    });
    const truncated = await scriptedPeer([CC, SETUP_OK, cut]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: truncated.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-malformed');
      expect(e.message).toMatch(/reading SZL 0x0011: Malformed userdata data: the frame ends before the 120 bytes of data/);
    } finally {
      truncated.server.close();
    }
    const wrongRef = await scriptedPeer([
      CC,
      encodeS7Frame({
        rosctr: ROSCTR.ackData,
        pduRef: 9,
        param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 240 }),
      }),
    ]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: wrongRef.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-malformed');
      expect(e.message).toMatch(/Setup Communication\): the answer is for PDU reference 9, not 1/);
    } finally {
      wrongRef.server.close();
    }
  });

  it('a CPU that refuses the connection (COTP disconnect request) or the setup (header error) is device-protocol', async () => {
    const dr = await scriptedPeer([encodeIsoFrame({ type: 'DR', dstRef: 1, srcRef: 1, reason: 0x80 })]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: dr.port, rack: 0, slot: 3, timeoutMs: 1000 }));
      expect(e.code).toBe('device-protocol');
      expect(e.message).toMatch(/the CPU refused the connection \(disconnect request, reason 0x80\); check rack and slot/);
    } finally {
      dr.server.close();
    }
    const refused = await scriptedPeer([CC, encodeS7Frame({ rosctr: ROSCTR.ack, pduRef: 1, errorClass: 0x81, errorCode: 0x04 })]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: refused.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-protocol');
      expect(e.message).toMatch(/the CPU answered service not implemented on the module, or a frame error \(0x8104\)/);
    } finally {
      refused.server.close();
    }
  });

  it('a CPU that gives only one of the two lists yields a partial identity; one that gives neither is device-protocol', async () => {
    const refuse = (pduRef: number) =>
      frameS7Pdu(
        encodeReadSzlResponse(pduRef, {
          sequence: 0,
          dataUnitRef: 0,
          last: true,
          errorCode: 0xd401,
          returnCode: 0x0a,
          payload: new Uint8Array(0),
        }),
      );
    const components = encodeSzlList(0x001c, 0, 34, [encodeComponentTextRecord(1, 'PRESS-7'), encodeComponentTextRecord(5, 'S Q-1234')]);
    const partial = await scriptedPeer([
      CC,
      SETUP_OK,
      refuse(2),
      frameS7Pdu(
        encodeReadSzlResponse(3, { sequence: 0, dataUnitRef: 0, last: true, errorCode: 0, returnCode: 0xff, payload: components }),
      ),
    ]);
    try {
      expect(await readS7Identity({ host: '127.0.0.1', port: partial.port, rack: 0, slot: 1, timeoutMs: 1000 })).toEqual({
        plcName: 'PRESS-7',
        serialNumber: 'S Q-1234',
      });
    } finally {
      partial.server.close();
    }
    const none = await scriptedPeer([
      CC,
      SETUP_OK,
      refuse(2),
      encodeS7Frame({ rosctr: ROSCTR.ack, pduRef: 3, errorClass: 0x81, errorCode: 0x04 }),
    ]);
    try {
      const e = await failure(readS7Identity({ host: '127.0.0.1', port: none.port, rack: 0, slot: 1, timeoutMs: 1000 }));
      expect(e.code).toBe('device-protocol');
      expect(e.message).toMatch(
        /the CPU gave neither list \(SZL 0x0011: information function unavailable \(0xD401\); SZL 0x001C: .*0x8104/,
      );
    } finally {
      none.server.close();
    }
  });

  it('refuses an impossible rack/slot before connecting', async () => {
    const e = await failure(readS7Identity({ host: '127.0.0.1', port: peer.port, rack: 9, slot: 1, timeoutMs: 1000 }));
    expect(e.code).toBe('s7-bad-rack-slot');
  });
});
