import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { ModbusConnection } from '../../../src-main/devices/modbus/modbus-connection.ts';
import { startPymodbus, type PymodbusPeer } from '../../helpers/pymodbus-peer.ts';
import { startPtyPair, type PtyPair } from '../../helpers/pty-pair.ts';

describe('Modbus RTU over a serial line (socat pty pair) against pymodbus', () => {
  let pty: PtyPair;
  let peer: PymodbusPeer;
  beforeAll(async () => {
    pty = await startPtyPair();
    peer = await startPymodbus({ unit: 5, hr: [11, 22, 0x4148, 0], co: [false, true] }, pty.a);
  });
  afterAll(() => {
    peer?.stop();
    pty?.stop();
  });

  it('reads known registers and coils with CRC-checked RTU frames, and writes one back', async () => {
    const c = await ModbusConnection.open({ transport: 'rtu', serialPath: pty.b, baudRate: 19200, unitId: 5, timeoutMs: 1000, retries: 1 });
    try {
      expect(c.controller).toBe(`Modbus RTU ${pty.b} @19200 unit 5`);
      expect(await c.read('hr', 0, 4)).toEqual([11, 22, 0x4148, 0]);
      expect(await c.read('co', 0, 2)).toEqual([false, true]);
      await c.write('hr', 1, [2222]);
      expect(await c.read('hr', 1, 1)).toEqual([2222]);
    } finally {
      await c.close();
    }
  });

  // As users run it: the CLI bundle carries modbus-serial with its serial port loaded on first use
  // (scripts/build-cli.ts); a serial capture must still load it and read through it.
  it('`baseline capture --protocol modbus-rtu` reads the registers and the coil over the line', async () => {
    const t = tempHome();
    try {
      const profile = join(t.home, 'rtu.csv');
      writeFileSync(profile, 'tag,address,type\nA,hr:0,UINT16\nB,hr:2,UINT16\nC,co:1,BOOL\n');
      const out = join(t.home, 'rtu.json');
      const args = ['--protocol', 'modbus-rtu', '--serial', pty.b, '--baud', '19200', '--unit', '5', '--profile', profile, '--out', out];
      const r = await runBaselineAsync(['capture', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const doc = (JSON.parse(readFileSync(out, 'utf8')) as { document: { values: { tag: string; value: unknown }[] } }).document;
      expect(doc.values.map((v) => [v.tag, v.value])).toEqual([
        ['A', 11],
        ['B', 0x4148],
        ['C', true],
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('a serial port that does not exist, or a file that is not one, is named as such with what to check', async () => {
    type Failure = { code?: string; message?: string; hint?: string };
    const open = (serialPath: string): Promise<Failure> =>
      ModbusConnection.open({ transport: 'rtu', serialPath, baudRate: 19200, unitId: 5, timeoutMs: 1000, retries: 0 }).then(
        async (c) => {
          await c.close();
          return { message: `${serialPath} opened` };
        },
        (e: unknown) => e as Failure,
      );
    const missing = await open('/dev/ttyBASELINE_NOPE0');
    expect(missing).toMatchObject({ code: 'device-no-port' });
    expect(missing.message).toContain('/dev/ttyBASELINE_NOPE0');
    expect(missing.message).toContain('cannot be opened');
    expect(missing.hint).toContain('USB-serial adapter');
    const t = tempHome();
    try {
      const notSerial = join(t.home, 'not-a-port');
      writeFileSync(notSerial, '');
      const e = await open(notSerial);
      expect(e).toMatchObject({ code: 'device-no-port' });
      expect(e.message).toContain('not a serial port');
    } finally {
      t.cleanup();
    }
  });

  it('a wrong unit id on the line times out clearly', async () => {
    const c = await ModbusConnection.open({ transport: 'rtu', serialPath: pty.b, baudRate: 19200, unitId: 9, timeoutMs: 400, retries: 0 });
    try {
      await expect(c.read('hr', 0, 1)).rejects.toMatchObject({ code: 'device-timeout' });
    } finally {
      await c.close();
    }
  });
});
