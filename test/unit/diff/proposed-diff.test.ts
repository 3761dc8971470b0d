import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { diffableFromCapture } from '../../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments } from '../../../src-shared/common/diff/document-diff.ts';
import { compareWithProposed, type ProposalStatus, type ProposedChange } from '../../../src-shared/common/diff/proposed-diff.ts';
import { matchesProposed } from '../../../src-shared/common/diff/value-equality.ts';
import { docOf, loadCapture, loadProposed, val } from './diff-helpers.ts';

describe('compareWithProposed on the fixture change', () => {
  const diff = diffDocuments(diffableFromCapture(loadCapture('before')), diffableFromCapture(loadCapture('after')));
  const result = compareWithProposed(diff, loadProposed());
  const statuses = Object.fromEntries(result.findings.map((f) => [f.tag, f.status]));

  it('classifies every config difference and every proposal', () => {
    expect(statuses).toEqual({
      Line1_SpeedSP: 'approved', // 12.5 -> 13, proposed from 12.5 to 13
      Line1_TempHi: 'unexpected', // proposed 90, became 85
      Zero_Offset: 'unexpected', // 0 -> -0, not proposed
      Fault_Value: 'unexpected', // NaN payload changed, not proposed
      Recipe_Id: 'missing', // proposed 7 -> 8, still 7
      Mode: 'unexpected', // type change, not proposed
      Valve_Status: 'unexpected', // now bad
      New_Limit: 'approved', // added with 50, as proposed
      Old_Limit: 'unexpected', // removed, not proposed
      Loop_Gain: 'approved', // proposed 0.2 -> 0.1 in decimal; float32 values read back
    });
    expect(result.counts).toEqual({ approved: 3, unexpected: 6, missing: 1 });
    expect(result.matches).toBe(false);
  });

  it('leaves live tags out, proposed or not', () => {
    expect(statuses['Motor_Current']).toBeUndefined();
    expect(result.liveIgnored).toEqual(['Motor_Current']);
  });

  it("says why, in the reviewer's words", () => {
    const reason = (tag: string) => result.findings.find((f) => f.tag === tag)!.reason;
    expect(reason('Line1_SpeedSP')).toBe('Changed from 12.5 to 13, as proposed.');
    expect(reason('Line1_TempHi')).toBe('Changed to 85, but the proposal says 90.');
    expect(reason('Recipe_Id')).toBe('Proposed 7 → 8, but the value did not change (still 7).');
    expect(reason('Zero_Offset')).toBe('Changed from 0 to -0, but no change to it was proposed.');
    expect(reason('Fault_Value')).toBe('Changed from NaN (raw 7fc00000) to NaN (raw 7fc00001), but no change to it was proposed.');
    expect(reason('Loop_Gain')).toBe('Changed from 0.2 to 0.1, as proposed.');
    expect(reason('Valve_Status')).toContain('no good reading (item not available (0x0a))');
    expect(reason('Mode')).toBe('Type changed from INT to DINT, but no change to it was proposed.');
  });
});

describe('compareWithProposed, case by case', () => {
  const before = docOf([
    val('A', { value: 10, raw: '000a' }),
    val('B', { value: 1, raw: '0001' }),
    val('L', { class: 'live', value: 5, raw: '0005' }),
  ]);
  const after = docOf([
    val('A', { value: 12, raw: '000c' }),
    val('B', { value: 1, raw: '0001' }),
    val('L', { class: 'live', value: 6, raw: '0006' }),
  ]);
  const diff = diffDocuments(before, after);
  const statusOf = (proposed: ProposedChange[], tag = 'A'): ProposalStatus | undefined =>
    compareWithProposed(diff, proposed).findings.find((f) => f.tag === tag)?.status;

  it('approves a change to the proposed value, with or without from', () => {
    expect(statusOf([{ tag: 'A', to: 12 }])).toBe('approved');
    expect(statusOf([{ tag: 'A', from: 10, to: 12 }])).toBe('approved');
  });

  it('finds a change to another value, or from another value, unexpected', () => {
    expect(statusOf([{ tag: 'A', to: 13 }])).toBe('unexpected');
    expect(statusOf([{ tag: 'A', from: 11, to: 12 }])).toBe('unexpected');
  });

  it('finds an unproposed change unexpected and an unrealised proposal missing', () => {
    const r = compareWithProposed(diff, [
      { tag: 'B', to: 2 },
      { tag: 'Ghost', to: 1 },
    ]);
    expect(r.findings.map((f) => [f.tag, f.status])).toEqual([
      ['A', 'unexpected'],
      ['B', 'missing'],
      ['Ghost', 'missing'],
    ]);
    expect(r.findings[2]!.reason).toContain('in neither document');
  });

  it('matches when the diff is exactly the proposal', () => {
    const r = compareWithProposed(diff, [{ tag: 'A', from: 10, to: 12 }]);
    expect(r).toMatchObject({ counts: { approved: 1, unexpected: 0, missing: 0 }, matches: true, liveIgnored: ['L'] });
  });

  it('never classifies a live tag, even when proposed', () => {
    const r = compareWithProposed(diff, [
      { tag: 'A', to: 12 },
      { tag: 'L', to: 99 },
    ]);
    expect(r.findings.map((f) => f.tag)).toEqual(['A']);
    expect(r.liveIgnored).toEqual(['L']);
    expect(r.matches).toBe(true);
  });

  it('wants a type change proposed with its new type', () => {
    const d = diffDocuments(
      docOf([val('M', { type: 'INT16', value: 1 })]),
      docOf([val('M', { type: 'INT32', value: 70000, raw: '00011170' })]),
    );
    expect(compareWithProposed(d, [{ tag: 'M', to: 70000 }]).findings[0]!.status).toBe('unexpected');
    expect(compareWithProposed(d, [{ tag: 'M', to: 70000, type: 'INT32' }]).findings[0]!.status).toBe('approved');
  });

  it('finds a proposed tag that went bad unexpected, and a from for a tag that had no good reading', () => {
    const bad = val('Q', { value: null, raw: null, quality: 'bad' });
    const good = val('Q', { value: 4, raw: '0004' });
    expect(compareWithProposed(diffDocuments(docOf([good]), docOf([bad])), [{ tag: 'Q', to: 4 }]).findings[0]!.status).toBe('unexpected');
    expect(compareWithProposed(diffDocuments(docOf([bad]), docOf([good])), [{ tag: 'Q', to: 4 }]).findings[0]!.status).toBe('approved');
    expect(compareWithProposed(diffDocuments(docOf([bad]), docOf([good])), [{ tag: 'Q', from: 3, to: 4 }]).findings[0]!.status).toBe(
      'unexpected',
    );
  });

  it('finds a removed tag unexpected even when proposed, and an added one approved only without from', () => {
    const d = diffDocuments(docOf([val('R')]), docOf([val('N', { value: 7, raw: '0007' })]));
    const r = compareWithProposed(d, [
      { tag: 'R', to: 0 },
      { tag: 'N', from: 0, to: 7 },
    ]);
    expect(r.findings.map((f) => [f.tag, f.status])).toEqual([
      ['N', 'unexpected'],
      ['R', 'unexpected'],
    ]);
    expect(compareWithProposed(d, [{ tag: 'N', to: 7 }]).findings.find((f) => f.tag === 'N')!.status).toBe('approved');
  });

  it('refuses a malformed proposal', () => {
    expect(() =>
      compareWithProposed(diff, [
        { tag: 'A', to: 1 },
        { tag: 'A', to: 2 },
      ]),
    ).toThrow(BaselineError);
    expect(() => compareWithProposed(diff, [{ tag: 'A' } as ProposedChange])).toThrow(/"to"/);
  });
});

describe('matchesProposed: exact, but in the units a person proposes', () => {
  it('rounds a REAL proposal to single precision, and nothing else', () => {
    expect(matchesProposed('REAL', Math.fround(0.1), 0.1)).toBe(true);
    expect(matchesProposed('FLOAT32', Math.fround(0.1), 0.1)).toBe(true);
    expect(matchesProposed('REAL', Math.fround(0.1) + 2 ** -27, 0.1)).toBe(false);
    expect(matchesProposed('LREAL', Math.fround(0.1), 0.1)).toBe(false);
    expect(matchesProposed('LREAL', 0.1, 0.1)).toBe(true);
  });

  it('keeps -0 apart from 0 and accepts NaN and infinities as strings', () => {
    expect(matchesProposed('REAL', -0, 0)).toBe(false);
    expect(matchesProposed('REAL', 'NaN', 'NaN')).toBe(true);
    expect(matchesProposed('LREAL', '-Infinity', '-Infinity')).toBe(true);
    expect(matchesProposed('REAL', 'Infinity', 3.4e39)).toBe(true); // 3.4e39 overflows single precision
  });

  it('compares 64-bit integers as integers, whether proposed as string or number', () => {
    expect(matchesProposed('LINT', '9007199254740993', '9007199254740993')).toBe(true);
    expect(matchesProposed('LINT', '9007199254740993', 9007199254740992)).toBe(false);
    expect(matchesProposed('LINT', '42', 42)).toBe(true);
    expect(matchesProposed('ULINT', '18446744073709551615', '18446744073709551615')).toBe(true);
  });

  it('compares other types by exact JSON equality', () => {
    expect(matchesProposed('BOOL', true, true)).toBe(true);
    expect(matchesProposed('BOOL', true, 1)).toBe(false);
    expect(matchesProposed('STRING', 'OK', 'ok')).toBe(false);
    expect(matchesProposed('DINT', 5, 5)).toBe(true);
  });
});
