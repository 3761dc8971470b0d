/**
 * Attacks on the loopback web host's WebSocket with frames no browser sends, against a real `baseline web`
 * process: each bad frame closes that one connection with the RFC 6455 status code naming the fault, the
 * process never exits, and it goes on answering real API calls.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect as tcpConnect } from 'node:net';
import WebSocket from 'ws';
import { MAX_WS_MESSAGE_BYTES, type WsMessage } from '../../src-shared/common/api/transport.ts';
import { callFrame, encodeFrame, rawUpgrade, type RawFrame } from '../helpers/raw-websocket.ts';
import { randomInt, seededRandom, pick } from '../unit/capture-plan/seeded-random.ts';
import { startWebHostProcess, type WebHostProcess } from '../helpers/web-host-process.ts';
import { tempHome } from '../helpers/temp-home.ts';

/** A real API call over a fresh, well-behaved connection: the proof that the host still serves. */
async function appInfo(host: WebHostProcess): Promise<WsMessage> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin: host.origin });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const reply = new Promise<WsMessage>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as WsMessage)));
    ws.send(JSON.stringify({ kind: 'call', id: 7, op: 'app.info', request: {} }));
    return await reply;
  } finally {
    ws.close();
  }
}

describe('web host: malformed WebSocket frames close one connection, never the host', () => {
  const t = tempHome();
  let host: WebHostProcess;

  beforeAll(async () => {
    host = await startWebHostProcess(t.home);
  });
  afterEach(() => {
    expect(host.exitCode(), `baseline web exited: ${host.stderr()}`).toBeNull();
  });
  afterAll(async () => {
    await host?.stop();
    t.cleanup();
  });

  const text = (s: string) => Buffer.from(s, 'utf8');
  const cases: { name: string; frames: RawFrame[]; code: number; error: RegExp }[] = [
    {
      name: 'a message over the size limit (declared length)',
      frames: [{ opcode: 1, declaredLength: MAX_WS_MESSAGE_BYTES + 1, payload: text('{') }],
      code: 1009,
      error: /max payload size exceeded/i,
    },
    {
      name: 'a fragmented message whose parts add up to over the limit',
      frames: [
        { opcode: 1, fin: false, payload: text('{"kind":"ca') },
        { opcode: 0, declaredLength: MAX_WS_MESSAGE_BYTES - 5, payload: text('ll') },
      ],
      code: 1009,
      error: /max payload size exceeded/i,
    },
    {
      name: 'invalid UTF-8 in a text frame',
      frames: [{ opcode: 1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }],
      code: 1007,
      error: /invalid utf-8/i,
    },
    {
      name: 'an unmasked client frame',
      frames: [{ opcode: 1, masked: false, payload: text('{}') }],
      code: 1002,
      error: /MASK must be set/i,
    },
    { name: 'a reserved data opcode (0x3)', frames: [{ opcode: 0x3, payload: text('x') }], code: 1002, error: /invalid opcode 3/i },
    { name: 'a reserved control opcode (0xB)', frames: [{ opcode: 0xb, payload: text('x') }], code: 1002, error: /invalid opcode 11/i },
    {
      name: 'RSV1 set without a negotiated extension',
      frames: [{ opcode: 1, rsv: 4, payload: text('{}') }],
      code: 1002,
      error: /RSV1 must be clear/i,
    },
    { name: 'RSV2 and RSV3 set', frames: [{ opcode: 1, rsv: 3, payload: text('{}') }], code: 1002, error: /RSV2 and RSV3 must be clear/i },
    {
      name: 'a continuation frame with no message started',
      frames: [{ opcode: 0, payload: text('{}') }],
      code: 1002,
      error: /invalid opcode 0/i,
    },
    {
      name: 'a new text frame inside a fragmented message',
      frames: [
        { opcode: 1, fin: false, payload: text('{') },
        { opcode: 1, payload: text('}') },
      ],
      code: 1002,
      error: /invalid opcode 1/i,
    },
    { name: 'a fragmented ping', frames: [{ opcode: 9, fin: false, payload: text('p') }], code: 1002, error: /FIN must be set/i },
    {
      name: 'a ping over 125 bytes',
      frames: [{ opcode: 9, payload: Buffer.alloc(126, 0x61) }],
      code: 1002,
      error: /invalid payload length 126/i,
    },
    {
      name: 'a close frame with a one-byte body',
      frames: [{ opcode: 8, payload: Buffer.from([3]) }],
      code: 1002,
      error: /invalid payload length 1/i,
    },
    {
      name: 'a close frame with a forbidden status code (1005)',
      frames: [{ opcode: 8, payload: Buffer.from([0x03, 0xed]) }],
      code: 1002,
      error: /invalid status code 1005/i,
    },
    {
      name: 'a close frame whose reason is invalid UTF-8',
      frames: [{ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff]) }],
      code: 1007,
      error: /invalid utf-8/i,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: closes that connection with ${c.code}; the host still answers`, async () => {
      const before = host.stderr().length;
      const bystander = await rawUpgrade(host.port, host.token);
      const raw = await rawUpgrade(host.port, host.token);
      for (const f of c.frames) raw.write(encodeFrame(f));
      const outcome = await raw.outcome(5000);
      raw.destroy();
      expect(outcome.closeCode).toBe(c.code);
      await new Promise((r) => setTimeout(r, 50));
      expect(host.stderr().slice(before)).toMatch(c.error);
      // The other connection is untouched and the host answers a real call on it and on a new one.
      bystander.write(callFrame(1, 'app.info', {}));
      const still = await new Promise<string>((resolve) => bystander.socket.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
      expect(still).toContain('"deviceId"');
      bystander.destroy();
      expect(await appInfo(host)).toMatchObject({ kind: 'reply', id: 7, envelope: { ok: true, value: { transport: 'web' } } });
    });
  }

  it('a binary frame and a text frame that is not a call get an error reply, and the connection stays open', async () => {
    const raw = await rawUpgrade(host.port, host.token);
    raw.write(encodeFrame({ opcode: 2, payload: text('{"kind":"call","id":1,"op":"app.info","request":{}}') }));
    raw.write(encodeFrame({ opcode: 1, payload: text('[1,2,3]') }));
    raw.write(callFrame(2, 'app.info', {}));
    const outcome = await raw.outcome(1500);
    raw.destroy();
    expect(outcome.closeCode).toBeNull();
    const replies = outcome.texts.map((s) => JSON.parse(s) as WsMessage);
    expect(
      replies.filter((m) => m.kind === 'reply' && m.id === -1 && !m.envelope.ok && m.envelope.error.code === 'malformed-message'),
    ).toHaveLength(2);
    expect(replies).toContainEqual(expect.objectContaining({ kind: 'reply', id: 2, envelope: expect.objectContaining({ ok: true }) }));
  });

  it('a client that resets the connection in the middle of the handshake or of a frame does not stop the host', async () => {
    for (const token of [host.token, 'wrong-token']) {
      await new Promise<void>((resolve) => {
        const s = tcpConnect(host.port, '127.0.0.1', () => {
          s.write(
            `GET /api?token=${token} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          s.resetAndDestroy();
          resolve();
        });
        s.on('error', () => undefined);
      });
    }
    const raw = await rawUpgrade(host.port, host.token);
    raw.write(encodeFrame({ opcode: 1, declaredLength: 1000, payload: text('{"kind":') }));
    raw.socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(await appInfo(host)).toMatchObject({ envelope: { ok: true } });
  });

  it('fuzz: 300 random and malformed frames on 100 connections, bounded to 20 s; afterwards the host still answers', async () => {
    const seed = 20261204;
    const random = seededRandom(seed);
    const started = Date.now();
    let frames = 0;
    let closedWithCode = 0;
    for (let conn = 0; conn < 100; conn++) {
      const raw = await rawUpgrade(host.port, host.token);
      for (let i = 0; i < 3; i++, frames++) {
        const kind = randomInt(random, 0, 5);
        const payload = Buffer.from(Array.from({ length: randomInt(random, 0, kind === 0 ? 300 : 40) }, () => randomInt(random, 0, 255)));
        const frame: RawFrame =
          kind === 0
            ? {
                opcode: randomInt(random, 0, 15),
                fin: random() < 0.7,
                rsv: randomInt(random, 0, 7) & (random() < 0.5 ? 7 : 0),
                masked: random() < 0.9,
                payload,
              }
            : kind === 1
              ? {
                  opcode: pick(random, [1, 2]),
                  payload: Buffer.from(
                    JSON.stringify({
                      kind: 'call',
                      id: randomInt(random, -5, 5),
                      op: pick(random, ['app.info', 'journal.list', 'x', '']),
                      request: pick(random, [null, {}, [], { limit: -1 }, 'a']),
                    }),
                  ),
                }
              : kind === 2
                ? {
                    opcode: 1,
                    declaredLength: pick(random, [MAX_WS_MESSAGE_BYTES + 1, 2 ** 53 - 1, 70_000, 126]),
                    payload: payload.subarray(0, 10),
                  }
                : kind === 3
                  ? { opcode: pick(random, [8, 9, 10]), fin: random() < 0.8, payload: payload.subarray(0, randomInt(random, 0, 130)) }
                  : kind === 4
                    ? { opcode: 1, payload: Buffer.concat([text('{"kind":"call","id":1,"op":"'), payload]) }
                    : { opcode: 0, payload };
        let bytes = encodeFrame(frame);
        if (random() < 0.15) bytes = bytes.subarray(0, randomInt(random, 1, Math.max(1, bytes.length - 1)));
        raw.write(bytes);
      }
      const outcome = await raw.outcome(random() < 0.5 ? 50 : 150);
      if (outcome.closeCode !== null) closedWithCode++;
      if (random() < 0.5) raw.socket.resetAndDestroy();
      else raw.destroy();
    }
    const elapsed = Date.now() - started;
    expect(frames).toBe(300);
    expect(elapsed).toBeLessThan(20_000);
    expect(host.exitCode(), `seed ${seed}: baseline web exited: ${host.stderr()}`).toBeNull();
    expect(closedWithCode, `seed ${seed}: most connections must have been closed by the host for a bad frame`).toBeGreaterThan(30);
    expect(await appInfo(host)).toMatchObject({ kind: 'reply', id: 7, envelope: { ok: true, value: { transport: 'web' } } });
  }, 30_000);
});
