/**
 * Fills a simulated Modbus device's image from a capture profile and known values: every profile address is
 * mapped (so a capture with the same profile reads good), each holding the given value or zero/false.
 */
import { encodeModbusRegisters, type ModbusWordOrder } from '../modbus/modbus-codec.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { emptyModbusImage, setModbusBits, setModbusWords, type ModbusImage } from './modbus-simulator.ts';

/** Builds the image; `values` maps tag names to numbers or booleans. Unknown tag names are refused. */
export function modbusImageFromProfile(
  profile: ModbusProfile,
  values: Record<string, unknown> = {},
  wordOrder: ModbusWordOrder = 'high-first',
): ModbusImage {
  const image = emptyModbusImage();
  const known = new Set(profile.tags.map((t) => t.tag));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new BaselineError(
      'simulator-values',
      `The values file names tags the profile does not have: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? '…' : ''}.`,
      'Use the tag names of the profile (first CSV column).',
    );
  }
  for (const t of profile.tags) {
    const { table, offset, bit, type } = t.location;
    const v = values[t.tag];
    if (table === 'co' || table === 'di') {
      setModbusBits(image, table, offset, [v === true || v === 1]);
      continue;
    }
    if (type === 'BOOL') {
      const current = image[table][offset] ?? 0;
      const mask = 1 << (bit ?? 0);
      setModbusWords(image, table, offset, [v === true || v === 1 ? current | mask : current & ~mask]);
      continue;
    }
    const n = typeof v === 'number' ? v : v === undefined ? 0 : Number.NaN;
    if (Number.isNaN(n) && type !== 'FLOAT32') {
      throw new BaselineError(
        'simulator-values',
        `Tag ${t.tag} (${type}) has value ${JSON.stringify(v)} in the values file, not a number.`,
        'Give a number.',
      );
    }
    setModbusWords(image, table, offset, encodeModbusRegisters(type, n, { wordOrder }));
  }
  return image;
}
