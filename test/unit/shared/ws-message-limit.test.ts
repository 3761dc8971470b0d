import { describe, expect, it } from 'vitest';
import { OPERATIONS, PROFILE_CSV_MAX_CHARS, TEXT_FILE_MAX_CHARS } from '../../../src-shared/common/api/contract.ts';
import { describeWsClose, MAX_WS_MESSAGE_BYTES, WORST_CASE_REQUEST_BYTES } from '../../../src-shared/common/api/transport.ts';

const frameBytes = (op: string, request: unknown) => Buffer.byteLength(JSON.stringify({ kind: 'call', id: 2 ** 31, op, request }));

describe("the web host message cap follows the contract's largest request", () => {
  it('the largest profile import the contract accepts, written the longest way JSON can, fits in one message', () => {
    // A control character is the longest a character gets in JSON (\u0001: 6 bytes).
    const request = { name: '\u0001'.repeat(120), protocol: 'modbus', csv: '\u0001'.repeat(PROFILE_CSV_MAX_CHARS) };
    expect(OPERATIONS['profiles.import'].request.safeParse(request).success).toBe(true);
    const bytes = frameBytes('profiles.import', request);
    expect(bytes).toBeGreaterThan(60_000_000);
    expect(bytes).toBeLessThanOrEqual(WORST_CASE_REQUEST_BYTES);
    expect(WORST_CASE_REQUEST_BYTES).toBeLessThanOrEqual(MAX_WS_MESSAGE_BYTES);
    // One character more is refused by the contract itself, with the limit named.
    const tooBig = OPERATIONS['profiles.import'].request.safeParse({ ...request, csv: 'a'.repeat(PROFILE_CSV_MAX_CHARS + 1) });
    expect(tooBig.success).toBe(false);
    expect(JSON.stringify(tooBig.error?.issues)).toContain('at most 10 MB');
  });

  it('the largest policy, plant and roster files fit too', () => {
    const text = '\u0001'.repeat(TEXT_FILE_MAX_CHARS);
    for (const [op, request] of [
      ['policy.adopt', { yaml: text, source: 'x'.repeat(200), employeeId: 'E1', password: 'p'.repeat(1024) }],
      ['plant.import', { text, source: 'x'.repeat(200), employeeId: 'E1', password: 'p'.repeat(1024) }],
      ['people.importRoster', { text, source: 'x'.repeat(200), employeeId: 'E1', password: 'p'.repeat(1024) }],
    ] as const) {
      expect(OPERATIONS[op].request.safeParse(request).success).toBe(true);
      expect(frameBytes(op, request)).toBeLessThan(MAX_WS_MESSAGE_BYTES);
    }
  });

  it('says in plain words why the host closed the connection', () => {
    expect(describeWsClose(1009, '').message).toMatch(/larger than it accepts \(64 MiB\)/);
    expect(describeWsClose(1007, '').message).toMatch(/not valid UTF-8/);
    expect(describeWsClose(1002, '').message).toMatch(/protocol error/);
    expect(describeWsClose(1006, '').message).toMatch(/host stopped or the network connection dropped/);
    expect(describeWsClose(4000, 'why').message).toBe('The connection to the Baseline host was closed (code 4000) (why).');
    expect(describeWsClose(1009, '').hint).toMatch(/Reload this page/);
  });
});
