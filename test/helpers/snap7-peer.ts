/** node-snap7's S7Server (Snap7, an implementation nobody on this project wrote) as an S7 test peer. */
import { createRequire } from 'node:module';
import { freeLoopbackPort } from '../../src-main/devices/simulator/free-port.ts';

const require = createRequire(import.meta.url);

interface Snap7Server {
  srvAreaDB: number;
  srvAreaMK: number;
  srvAreaPE: number;
  srvAreaPA: number;
  RegisterArea(area: number, indexOrBuffer: number | Buffer, buffer?: Buffer): boolean;
  SetArea(area: number, index: number, buffer: Buffer): boolean;
  GetArea(area: number, index: number): Buffer;
  SetParam(param: number, value: number): boolean;
  StartTo(address: string): boolean;
  Stop(): boolean;
  LastError(): number;
  ErrorText(code: number): string;
}

/** A running S7 peer with its memory areas. */
export interface S7Peer {
  port: number;
  server: Snap7Server;
  stop(): void;
}

/** Starts an S7Server on 127.0.0.1 with the given DBs and M area. */
export async function startSnap7Peer(dbs: Record<number, Buffer>, merker?: Buffer): Promise<S7Peer> {
  const snap7 = require('node-snap7') as { S7Server: new () => Snap7Server };
  const server = new snap7.S7Server();
  const port = await freeLoopbackPort();
  server.SetParam(1, port); // p_u16_LocalPort
  for (const [n, buf] of Object.entries(dbs)) server.RegisterArea(server.srvAreaDB, Number(n), buf);
  if (merker) server.RegisterArea(server.srvAreaMK, merker); // non-DB areas take no index
  if (!server.StartTo('127.0.0.1')) throw new Error(`S7Server did not start: ${server.ErrorText(server.LastError())}`);
  return {
    port,
    server,
    stop: () => {
      server.Stop();
    },
  };
}
