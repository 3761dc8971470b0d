// 10,000-tag profiles laid out as real controllers are (register maps in blocks with reserved gaps; data blocks of
// mixed types with padding and tags left out; Logix controller and program tags, arrays and UDT members), imported
// through the CSV path and planned: the plan must stay within 1.05 of the proven lower bound (issue 3, "Speed").
import { describe, expect, it } from 'vitest';
import { parseProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { CaptureProfile, ProfileProtocol } from '../../../src-shared/common/profile/capture-profile.ts';
import { planCapture, type CapturePlan } from '../../../src-main/devices/capture-plan.ts';
import { pick, randomInt, seededRandom, type Random } from './seeded-random.ts';

const TARGET = 1.05;

function importRows(rows: string[], protocol: ProfileProtocol): CaptureProfile {
  const r = parseProfileCsv(['tag,address,type,class', ...rows].join('\n'), protocol);
  if (!r.ok) throw new Error(JSON.stringify(r.errors.slice(0, 5)));
  return r.profile;
}

function modbusRows(random: Random, count: number): string[] {
  const rows: string[] = [];
  const cursor = { hr: 0, ir: 0, co: 0, di: 0 };
  while (rows.length < count) {
    const table = pick(random, ['hr', 'hr', 'ir', 'co', 'di'] as const);
    cursor[table] += randomInt(random, 10, 200); // next block of the device's register map
    const blockSize = randomInt(random, 20, 150);
    for (let i = 0; i < blockSize && rows.length < count && cursor[table] < 65000; i++) {
      if (random() < 0.05) cursor[table] += randomInt(random, 1, 6); // reserved registers
      const offset = cursor[table];
      if (table === 'co' || table === 'di') {
        rows.push(`${table}${offset},${table}:${offset},BOOL,live`);
        cursor[table] += 1;
      } else {
        const type = pick(random, ['INT16', 'UINT16', 'FLOAT32', 'FLOAT32', 'INT32', 'UINT32']);
        rows.push(`${table}${offset},${table}:${offset},${type},config`);
        cursor[table] += type.endsWith('16') ? 1 : 2;
      }
    }
  }
  return rows;
}

function s7Rows(random: Random, count: number): string[] {
  const rows: string[] = [];
  let db = 0;
  while (rows.length < count) {
    db++;
    let offset = 0;
    const entries = randomInt(random, 200, 700);
    for (let i = 0; i < entries && rows.length < count; i++) {
      const r = random();
      const skip = random() < 0.1; // in the data block, not in the profile
      if (r < 0.35) {
        if (!skip) rows.push(`db${db}.r${offset},"DB${db},REAL${offset}",REAL,config`);
        offset += 4;
      } else if (r < 0.55) {
        if (!skip) rows.push(`db${db}.i${offset},"DB${db},INT${offset}",INT,config`);
        offset += 2;
      } else if (r < 0.7) {
        if (!skip) rows.push(`db${db}.d${offset},"DB${db},DINT${offset}",DINT,config`);
        offset += 4;
      } else if (r < 0.85) {
        for (let bit = 0; bit < 8; bit++)
          if (random() < 0.75 && rows.length < count) rows.push(`db${db}.x${offset}_${bit},"DB${db},X${offset}.${bit}",BOOL,live`);
        offset += 2; // a BOOL group is padded to a word
      } else if (r < 0.93) {
        if (!skip) rows.push(`db${db}.s${offset},"DB${db},S${offset}.20",STRING,config`);
        offset += 22;
      } else if (r < 0.97) {
        if (!skip) rows.push(`db${db}.l${offset},"DB${db},LREAL${offset}",LREAL,config`);
        offset += 8;
      } else {
        offset += 2 * randomInt(random, 2, 16); // spare bytes reserved in the block
      }
    }
  }
  // Some marker words too (they replace data block rows, keeping the count at 10,000).
  for (let i = 0; i < 300; i++) rows[rows.length - 1 - i * 30] = `m${i},MW${i * 2},WORD,live`;
  return rows;
}

const WORDS = [
  'Line',
  'Speed',
  'Temp',
  'Press',
  'Valve',
  'Motor',
  'Pump',
  'Setpoint',
  'Alarm',
  'Recipe',
  'Batch',
  'Level',
  'Flow',
  'Limit',
  'Hi',
  'Lo',
  'Delay',
  'Timer',
  'Count',
  'Mode',
];

function logixRows(random: Random, count: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${pick(random, WORDS)}${i}_${pick(random, WORDS)}${pick(random, WORDS)}`;
    const r = random();
    const address =
      r < 0.4
        ? name
        : r < 0.6
          ? `Program:${pick(random, WORDS)}Program.${name}`
          : r < 0.8
            ? `${pick(random, WORDS)}Array${i % 50}[${randomInt(random, 0, 300)}]`
            : `${pick(random, WORDS)}Recipe${i % 30}[${randomInt(random, 0, 9)}].${pick(random, WORDS)}${pick(random, WORDS)}${i}`;
    const t = random();
    const type =
      t < 0.2 ? 'BOOL' : t < 0.45 ? 'REAL' : t < 0.7 ? 'DINT' : t < 0.8 ? 'INT' : t < 0.9 ? 'STRING' : t < 0.95 ? 'LREAL' : 'SINT';
    rows.push(`t${i},${address},${type},config`);
  }
  return rows;
}

function ratio(plan: CapturePlan): number {
  return plan.requests / plan.minimumRequests;
}

describe('10,000-tag profiles: requests / minimum <= 1.05', () => {
  it('Modbus register maps (proven optimal: ratio exactly 1)', () => {
    const profile = importRows(modbusRows(seededRandom(1), 10_000), 'modbus');
    expect(profile.tags).toHaveLength(10_000);
    const plan = planCapture(profile);
    expect(plan.protocol).toBe('modbus');
    expect(plan.requests).toBeGreaterThan(80);
    expect(ratio(plan)).toBeLessThanOrEqual(TARGET);
    expect(plan.provenOptimal).toBe(true);
  });

  it.each([240, 480, 960])('S7 data blocks at PDU %d', (pduSize) => {
    const profile = importRows(s7Rows(seededRandom(2), 10_000), 's7');
    expect(profile.tags).toHaveLength(10_000);
    const plan = planCapture(profile, { s7: { pduSize } });
    expect(plan.protocol).toBe('s7');
    expect(ratio(plan)).toBeLessThanOrEqual(TARGET);
  });

  it.each([500, 4002])('Logix tags with a %d-byte connection', (packetSize) => {
    const profile = importRows(logixRows(seededRandom(3), 10_000), 'logix');
    expect(profile.tags).toHaveLength(10_000);
    const plan = planCapture(profile, { logix: { packetSize } });
    expect(plan.protocol).toBe('logix');
    expect(ratio(plan)).toBeLessThanOrEqual(TARGET);
  });
});
