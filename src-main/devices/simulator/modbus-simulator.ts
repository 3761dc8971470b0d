/**
 * Simulated Modbus TCP controller: a full 64 Ki-register image of each table served by modbus-serial's
 * ServerTCP on 127.0.0.1. Addresses never set answer ILLEGAL DATA ADDRESS, like a real device's unmapped
 * range; a listed unit id only answers to itself. Misbehaviour (delay, drop, garbage…) comes from the
 * fault proxy in front of it (fault-proxy.ts).
 */
import modbusSerial from 'modbus-serial';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { freeLoopbackPort } from './free-port.ts';

const { ServerTCP } = modbusSerial;

/** The four tables of a simulated device. */
export interface ModbusImage {
  hr: Uint16Array;
  ir: Uint16Array;
  co: Uint8Array;
  di: Uint8Array;
  /** Which addresses exist (1) per table; reads touching a missing address get exception 2. */
  mapped: { hr: Uint8Array; ir: Uint8Array; co: Uint8Array; di: Uint8Array };
}

/** An empty image: nothing mapped. */
export function emptyModbusImage(): ModbusImage {
  const n = 65536;
  return {
    hr: new Uint16Array(n),
    ir: new Uint16Array(n),
    co: new Uint8Array(n),
    di: new Uint8Array(n),
    mapped: { hr: new Uint8Array(n), ir: new Uint8Array(n), co: new Uint8Array(n), di: new Uint8Array(n) },
  };
}

/** Sets words or bits in a table and marks them mapped. */
export function setModbusWords(image: ModbusImage, table: 'hr' | 'ir', start: number, words: number[]): void {
  words.forEach((w, i) => {
    image[table][start + i] = w & 0xffff;
    image.mapped[table][start + i] = 1;
  });
}

/** Sets bits in a table and marks them mapped. */
export function setModbusBits(image: ModbusImage, table: 'co' | 'di', start: number, bits: boolean[]): void {
  bits.forEach((b, i) => {
    image[table][start + i] = b ? 1 : 0;
    image.mapped[table][start + i] = 1;
  });
}

/** Options of a simulated device. */
export interface ModbusSimulatorOptions {
  image: ModbusImage;
  port?: number;
  unitId?: number;
  identity?: { vendorName: string; productCode: string; revision: string; productName?: string; modelName?: string };
  /** Answer every read and write with this Modbus exception code (e.g. 6 SERVER DEVICE BUSY) while set. */
  exception?: number | null;
}

/** A running simulator. */
export interface ModbusSimulator {
  readonly port: number;
  readonly image: ModbusImage;
  /** Requests served so far (for request-count checks). */
  readonly requests: number;
  /** Makes the device answer every request with an exception code (null: answer normally). */
  setException(code: number | null): void;
  close(): Promise<void>;
}

const ILLEGAL_ADDRESS = { modbusErrorCode: 0x02, msg: 'Illegal data address' };

/** Starts a simulated Modbus TCP device on 127.0.0.1 (port chosen by the OS unless given). */
export async function startModbusSimulator(options: ModbusSimulatorOptions): Promise<ModbusSimulator> {
  // ServerTCP treats port 0 as "use 502", so ask the OS for a free port first.
  const port = options.port || (await freeLoopbackPort());
  const { image } = options;
  let requests = 0;
  let forcedException: number | null = options.exception ?? null;
  const checkMapped = (mapped: Uint8Array, addr: number, length: number): void => {
    if (forcedException !== null) throw { modbusErrorCode: forcedException, msg: 'Simulated exception' };
    for (let i = addr; i < addr + length; i++) if (!mapped[i]) throw ILLEGAL_ADDRESS;
  };
  const vector = {
    getMultipleHoldingRegisters(addr: number, length: number) {
      requests++;
      checkMapped(image.mapped.hr, addr, length);
      return Array.from(image.hr.subarray(addr, addr + length));
    },
    getMultipleInputRegisters(addr: number, length: number) {
      requests++;
      checkMapped(image.mapped.ir, addr, length);
      return Array.from(image.ir.subarray(addr, addr + length));
    },
    getHoldingRegister(addr: number) {
      checkMapped(image.mapped.hr, addr, 1);
      return image.hr[addr] ?? 0;
    },
    getInputRegister(addr: number) {
      checkMapped(image.mapped.ir, addr, 1);
      return image.ir[addr] ?? 0;
    },
    getCoil(addr: number) {
      checkMapped(image.mapped.co, addr, 1);
      return image.co[addr] === 1;
    },
    getDiscreteInput(addr: number) {
      checkMapped(image.mapped.di, addr, 1);
      return image.di[addr] === 1;
    },
    setRegister(addr: number, value: number) {
      requests++;
      checkMapped(image.mapped.hr, addr, 1);
      image.hr[addr] = value & 0xffff;
    },
    setCoil(addr: number, value: boolean) {
      requests++;
      checkMapped(image.mapped.co, addr, 1);
      image.co[addr] = value ? 1 : 0;
    },
    readDeviceIdentification() {
      const id = options.identity;
      // ServerTCP catches thrown errors in the register handlers but not here: reject instead.
      if (!id) return Promise.reject({ modbusErrorCode: 0x01, msg: 'Illegal function' });
      return {
        0x00: id.vendorName,
        0x01: id.productCode,
        0x02: id.revision,
        ...(id.productName ? { 0x04: id.productName } : {}),
        ...(id.modelName ? { 0x05: id.modelName } : {}),
      };
    },
  };
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: options.unitId ?? 255 });
    server.on('serverError', (err: Error | null) =>
      reject(
        new BaselineError(
          'simulator-start',
          `The Modbus simulator could not start: ${err?.message ?? 'unknown error'}.`,
          'Choose another port (--port).',
        ),
      ),
    );
    server.on('initialized', () => {
      resolve({
        port,
        image,
        get requests() {
          return requests;
        },
        setException(code) {
          forcedException = code;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of server.socks.keys()) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
