// Capture benchmark (issue #3): 10,000 tags per protocol against loopback peers, planned capture through the
// device process versus a naive capture (one request per tag), side by side in one run.
// Run: npm run bench   (prints a Markdown table; docs/benchmarks.md records a run)
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { LogixProfile, ModbusProfile, S7Profile } from '../../src-shared/common/profile/capture-profile.ts';
import { createRequire } from 'node:module';
import eip from 'st-ethernet-ip';
import { startLogixSimulator } from '../../src-main/devices/simulator/logix/logix-simulator.ts';
import { DeviceSupervisor } from '../../src-main/devices/process/device-supervisor.ts';
import { CaptureService } from '../../src-main/services/capture-service.ts';
import { ModbusConnection } from '../../src-main/devices/modbus/modbus-connection.ts';
import { S7Connection } from '../../src-main/devices/s7/s7-connection.ts';
import { startModbusSimulator } from '../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../src-main/devices/simulator/modbus-profile-image.ts';
import { startPymodbus } from '../helpers/pymodbus-peer.ts';
import { startSnap7Peer } from '../helpers/snap7-peer.ts';

const TAGS = 10_000;
const actor = { kind: 'os-user' as const, id: 'bench', name: 'bench' };
const options = { timeoutMs: 3000, retries: 0 };
const rows: string[] = [];

function modbusProfileCsv(): string {
  // A realistic dense register map: setpoints and parameters packed by type, as PLC programmers lay them out.
  const lines = ['tag,address,type,class'];
  let hr = 0;
  let n = 0;
  const types = ['UINT16', 'INT16', 'FLOAT32', 'INT32', 'UINT32'] as const;
  for (; n < 6000; n++) {
    const type = types[n % types.length]!;
    lines.push(`HR_${n},hr:${hr},${type},config`);
    hr += type === 'UINT16' || type === 'INT16' ? 1 : 2;
  }
  for (let i = 0; i < 2000; i++, n++) lines.push(`IR_${i},ir:${i},INT16,live`);
  for (let i = 0; i < 1500; i++, n++) lines.push(`CO_${i},co:${i},BOOL,config`);
  for (let i = 0; i < 500; i++, n++) lines.push(`DI_${i},di:${i},BOOL,live`);
  return lines.join('\n') + '\n';
}

function s7ProfileCsv(): string {
  const lines = ['tag,address,type,class'];
  const types = [
    ['REAL', 4],
    ['INT', 2],
    ['DINT', 4],
    ['WORD', 2],
  ] as const;
  for (let db = 1; db <= 5; db++) {
    let off = 0;
    for (let i = 0; i < TAGS / 5; i++) {
      const [type, size] = types[i % types.length]!;
      lines.push(`DB${db}_${i},"DB${db},${type}${off}",${type},config`);
      off += size;
    }
  }
  return lines.join('\n') + '\n';
}

function row(
  protocol: string,
  peer: string,
  how: string,
  tags: number,
  good: number,
  requests: number,
  minimum: number | null,
  ms: number,
): void {
  const ratio = minimum ? (requests / minimum).toFixed(3) : '';
  rows.push(`| ${protocol} | ${peer} | ${how} | ${tags} | ${good} | ${requests} | ${minimum ?? ''} | ${ratio} | ${Math.round(ms)} |`);
}

const devices = new DeviceSupervisor();
const service = new CaptureService(devices);
try {
  // Modbus TCP
  const mprofile = importProfileCsv(modbusProfileCsv(), 'modbus') as ModbusProfile;
  const values: Record<string, number | boolean> = {};
  for (const t of mprofile.tags) values[t.tag] = t.type === 'BOOL' ? t.tag.length % 2 === 0 : t.type === 'FLOAT32' ? 1.5 : 7;
  const sim = await startModbusSimulator({ image: modbusImageFromProfile(mprofile, values), unitId: 1 });
  const target = { protocol: 'modbus-tcp' as const, host: '127.0.0.1', port: sim.port, unitId: 1, wordOrder: 'high-first' as const };
  await service.capture({ target, profile: mprofile, profileName: 'warm-up', options }, actor); // start the device process
  let t0 = performance.now();
  let doc = await service.capture({ target, profile: mprofile, profileName: 'bench', options }, actor);
  row(
    'Modbus TCP',
    'Baseline simulator (modbus-serial ServerTCP)',
    'planned, device process',
    TAGS,
    doc.stats.good,
    doc.stats.requests,
    doc.stats.minimumRequests,
    performance.now() - t0,
  );
  const py = await startPymodbus({
    unit: 1,
    hr: new Array(10000).fill(7),
    ir: new Array(2000).fill(3),
    co: new Array(1500).fill(true),
    di: new Array(500).fill(false),
  });
  t0 = performance.now();
  doc = await service.capture({ target: { ...target, port: py.port }, profile: mprofile, profileName: 'bench', options }, actor);
  row(
    'Modbus TCP',
    'pymodbus 3 (Debian python3-pymodbus)',
    'planned, device process',
    TAGS,
    doc.stats.good,
    doc.stats.requests,
    doc.stats.minimumRequests,
    performance.now() - t0,
  );
  py.stop();
  // naive: one request per tag, same connection library, same simulator
  const conn = await ModbusConnection.open({ transport: 'tcp', host: '127.0.0.1', port: sim.port, unitId: 1, timeoutMs: 3000, retries: 0 });
  t0 = performance.now();
  let good = 0;
  for (const t of mprofile.tags) {
    await conn.read(t.location.table, t.location.offset, t.location.count);
    good++;
  }
  row(
    'Modbus TCP',
    'Baseline simulator (modbus-serial ServerTCP)',
    'naive: one request per tag',
    TAGS,
    good,
    conn.requestCount,
    null,
    performance.now() - t0,
  );
  await conn.close();
  await sim.close();

  // S7
  const sprofile = importProfileCsv(s7ProfileCsv(), 's7') as S7Profile;
  const dbs: Record<number, Buffer> = {};
  for (let db = 1; db <= 5; db++) dbs[db] = Buffer.alloc(6000, db);
  const s7 = await startSnap7Peer(dbs);
  const s7target = { protocol: 's7' as const, host: '127.0.0.1', port: s7.port, rack: 0, slot: 1 };
  t0 = performance.now();
  doc = await service.capture({ target: s7target, profile: sprofile, profileName: 'bench', options }, actor);
  row(
    'S7',
    'Snap7 S7Server (node-snap7)',
    `planned, device process (PDU ${doc.negotiated['pduSize']})`,
    TAGS,
    doc.stats.good,
    doc.stats.requests,
    doc.stats.minimumRequests,
    performance.now() - t0,
  );
  const sconn = await S7Connection.open({ host: '127.0.0.1', port: s7.port, rack: 0, slot: 1, timeoutMs: 3000 });
  t0 = performance.now();
  good = 0;
  for (const t of sprofile.tags) {
    const [r] = await sconn.readRanges([{ area: 'DB', db: t.location.db, start: t.location.start, length: t.location.length }]);
    if (r?.ok) good++;
  }
  row('S7', 'Snap7 S7Server (node-snap7)', 'naive: one request per tag', TAGS, good, sconn.requestCount, null, performance.now() - t0);
  await sconn.close();
  s7.stop();
  // Logix (EtherNet/IP): our CIP simulator, st-ethernet-ip as the client
  const ltypes = ['DINT', 'REAL', 'INT', 'BOOL'] as const;
  const lcsv =
    ['tag,address,type,class', ...Array.from({ length: TAGS }, (_, i) => `L_${i},Tag_${i},${ltypes[i % 4]},config`)].join('\n') + '\n';
  const lprofile = importProfileCsv(lcsv, 'logix') as LogixProfile;
  const lsim = await startLogixSimulator({
    tags: lprofile.tags.map((t, i) => ({ name: t.address, type: t.type, value: t.type === 'BOOL' ? i % 2 === 0 : i % 1000 })),
  });
  t0 = performance.now();
  doc = await service.capture(
    { target: { protocol: 'logix', host: '127.0.0.1', port: lsim.port, slot: 0 }, profile: lprofile, profileName: 'bench', options },
    actor,
  );
  row(
    'Logix (EtherNet/IP)',
    'Baseline CIP simulator, st-ethernet-ip client',
    `planned, device process (packet ${doc.negotiated['packetSize']})`,
    TAGS,
    doc.stats.good,
    doc.stats.requests,
    doc.stats.minimumRequests,
    performance.now() - t0,
  );
  // naive: one Read Tag per tag on one connection
  const eipConfig = createRequire(import.meta.url)('st-ethernet-ip/dist/config.js') as { EIP_PORT: number };
  eipConfig.EIP_PORT = lsim.port;
  const plc = new eip.Controller(true);
  plc.on('error', () => undefined);
  await plc.connect('127.0.0.1', 0, false);
  const before = lsim.requests;
  t0 = performance.now();
  good = 0;
  for (const t of lprofile.tags) {
    const tag = new eip.Tag(t.address);
    await plc.readTag(tag);
    if (tag.value !== undefined) good++;
  }
  row(
    'Logix (EtherNet/IP)',
    'Baseline CIP simulator, st-ethernet-ip client',
    'naive: one request per tag',
    TAGS,
    good,
    lsim.requests - before,
    null,
    performance.now() - t0,
  );
  await plc.disconnect();
  await lsim.close();
} finally {
  devices.close();
}

console.log(`\nCapture benchmark, ${new Date().toISOString()}, Node ${process.versions.node}, ${process.platform}-${process.arch}\n`);
console.log('| protocol | peer | capture | tags | good | requests | minimum | ratio | wall ms |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
process.exit(0);
