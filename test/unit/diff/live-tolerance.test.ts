import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../../../src-shared/common/diff/document-diff.ts';
import { describeTolerance, judgeLive, readTolerance } from '../../../src-shared/common/diff/live-tolerance.ts';
import { compareWithProposed } from '../../../src-shared/common/diff/proposed-diff.ts';
import { formatProfileCsv, parseProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import { docOf, val } from './diff-helpers.ts';

const flow = (value: number, over: Parameters<typeof val>[1] = {}) =>
  val('Flow', { type: 'FLOAT32', class: 'live', writable: false, value, tolerance: { absolute: 0.5 }, ...over });

describe('declared tolerances of live values', () => {
  it('judges a move within the absolute band as within, beyond it as outside with the reason in words', () => {
    expect(judgeLive(flow(3.25), flow(3.75))).toEqual({
      status: 'within',
      tolerance: '±0.5',
      reason: 'Live value moved from 3.25 to 3.75 (by 0.5), within its declared tolerance ±0.5.',
    });
    expect(judgeLive(flow(3.25), flow(3.8))).toEqual({
      status: 'outside',
      tolerance: '±0.5',
      reason: 'Live value moved from 3.25 to 3.8 (by 0.55), outside its declared tolerance ±0.5 (at most 0.5 here).',
    });
  });

  it('a percent band is of the before value; with both bands, within either is within', () => {
    const pct = { tolerance: { percent: 2 } };
    expect(judgeLive(flow(100, pct), flow(102, pct)).status).toBe('within');
    expect(judgeLive(flow(100, pct), flow(102.5, pct)).status).toBe('outside');
    const both = { tolerance: { absolute: 0.5, percent: 2 } };
    expect(judgeLive(flow(100, both), flow(101.9, both)).status).toBe('within');
    expect(judgeLive(flow(1, both), flow(1.4, both)).status).toBe('within');
    expect(judgeLive(flow(1, both), flow(1.6, both))).toMatchObject({ status: 'outside', tolerance: '±0.5 or ±2 % of the before value' });
  });

  it('no good reading, a changed type or a tag gone is outside; no tolerance declared is not judged', () => {
    expect(judgeLive(flow(3.25), flow(0, { quality: 'bad', value: null }))).toMatchObject({
      status: 'outside',
      reason: expect.stringContaining('no good numeric reading after') as unknown,
    });
    expect(judgeLive(flow(3.25), flow(3, { type: 'INT16' }))).toMatchObject({
      status: 'outside',
      reason: expect.stringContaining('changed type from FLOAT32 to INT16') as unknown,
    });
    expect(judgeLive(flow(3.25), null).status).toBe('outside');
    expect(judgeLive(flow(3.25, { tolerance: undefined }), flow(9, { tolerance: undefined }))).toEqual({ status: 'not-declared' });
  });

  it('against the proposal: within is no finding, outside is an unexpected row, undeclared stays out of the check', () => {
    const count = val('Count', { class: 'live', value: 1 });
    const diff = diffDocuments(
      docOf([flow(3.25), val('Temp', { type: 'FLOAT32', class: 'live', value: 80, tolerance: { absolute: 1 } }), count]),
      docOf([
        flow(3.9),
        val('Temp', { type: 'FLOAT32', class: 'live', value: 80.5, tolerance: { absolute: 1 } }),
        { ...count, value: 900 },
      ]),
    );
    const cmp = compareWithProposed(diff, []);
    expect(cmp.findings).toEqual([
      {
        tag: 'Flow',
        kind: 'changed',
        proposed: null,
        status: 'unexpected',
        tolerance: '±0.5',
        reason: 'Live value moved from 3.25 to 3.9 (by 0.65), outside its declared tolerance ±0.5 (at most 0.5 here).',
      },
    ]);
    expect(cmp.liveWithin).toEqual(['Temp']);
    expect(cmp.liveIgnored).toEqual(['Count']);
    expect(cmp.matches).toBe(false);
  });

  it('reads the profile columns, and refuses a negative, non-numeric tolerance, one on a config tag or on a BOOL, by line and column', () => {
    const ok = parseProfileCsv(
      'tag,address,type,class,tolerance,tolerance_pct\nFlow,ir:0,FLOAT32,live,0.5,\nTemp,ir:2,FLOAT32,live,,2%\nSpeed,hr:0,FLOAT32,config,,\n',
      'modbus',
    );
    expect(ok.ok && ok.profile.tags.map((t) => [t.tag, t.tolerance])).toEqual([
      ['Flow', { absolute: 0.5 }],
      ['Temp', { percent: 2 }],
      ['Speed', undefined],
    ]);
    const bad = parseProfileCsv(
      'tag,address,type,class,tolerance,tolerance_pct\nFlow,ir:0,FLOAT32,live,-1,\nTemp,ir:2,FLOAT32,live,,two\nSpeed,hr:0,FLOAT32,config,0.5,\nOK,di:1,BOOL,live,1,\n',
      'modbus',
    );
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.line} ${e.column}: ${e.message}`)).toEqual([
      '2 tolerance: The tolerance -1 of Flow is negative; a tolerance is a band either side of the before value, 0 or more.',
      '3 tolerance_pct: The tolerance "two" of Temp is not a number; give it as a plain number of percent, e.g. 2.',
      '4 tolerance: Speed is a config tag; a tolerance is declared only on live tags (process values that move on their own): a config value must not change unless proposed.',
      '5 tolerance: OK is of type BOOL; a tolerance applies only to numeric values.',
    ]);
    expect(readTolerance('X', 'live', 'REAL', '', '')).toEqual({ tolerance: null, problems: [] });
    expect(describeTolerance({ percent: 2 })).toBe('±2 % of the before value');
  });

  it('a profile written back keeps its tolerances, and one without any keeps the seven columns', () => {
    const rows = [{ tag: 'Flow', address: 'ir:0', type: 'FLOAT32', class: 'live' as const, tolerance: { absolute: 0.5, percent: 2 } }];
    const csv = formatProfileCsv(rows);
    expect(csv.split('\n')[0]).toBe('tag,address,type,class,safety,writable,description,tolerance,tolerance_pct');
    const back = parseProfileCsv(csv, 'modbus');
    expect(back.ok && back.profile.tags[0]!.tolerance).toEqual({ absolute: 0.5, percent: 2 });
    expect(formatProfileCsv([{ tag: 'A', address: 'hr:0', type: 'INT16' }]).split('\n')[0]).toBe(
      'tag,address,type,class,safety,writable,description',
    );
  });
});
