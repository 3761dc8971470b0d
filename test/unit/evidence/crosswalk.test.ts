/** The compliance crosswalk decided per pack: which clauses a draft change does not satisfy and why, and SR 7.6 only for network or security settings. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { evaluateCrosswalk, parseCrosswalk } from '../../../src-shared/node/evidence/crosswalk.ts';
import type { PackContext } from '../../../src-shared/node/evidence/pack-context.ts';
import { packWording } from '../../../src-shared/node/evidence/pack-wording.ts';

const crosswalk = parseCrosswalk(
  readFileSync(fileURLToPath(new URL('../../../resources/compliance/crosswalk.yaml', import.meta.url)), 'utf8'),
);

function draft(tag: string): PackContext {
  const state = {
    id: 'c-1',
    status: 'draft',
    review: null,
    requester: { id: 'E100', name: 'Erin Engineer' },
    createdAt: '2026-07-01T12:00:00.000Z',
    fields: {
      title: 't',
      description: '',
      justification: '',
      class: 'normal',
      targetControllers: ['plc'],
      proposedChange: { kind: 'diff', controllerId: 'plc', changes: [{ tag, to: 1 }] },
      rollbackPlan: '',
      testPlan: '',
      impactAssessment: null,
    },
  } as unknown as ChangeState;
  return {
    changeId: 'c-1',
    state,
    events: [],
    signatures: [],
    diffs: [],
    snapshots: new Map(),
    policy: { revision: 1, name: 'p', source: 'shipped-default' },
    timeZone: 'UTC',
    clockFlags: [],
    exportedAt: '2026-07-02T00:00:00.000Z',
    exportedBy: { device: 'd', deviceName: 'd', user: 'u', appVersion: '0' },
    checklistsYaml: null,
    wording: packWording(true, {}),
    memberNames: [],
  };
}

describe('compliance crosswalk', () => {
  it('lists every clause of the issue, each a short paraphrase', () => {
    expect(crosswalk.clauses.map((c) => `${c.framework} ${c.clause}`)).toEqual([
      'IEC 62443-3-3 SR 2.8',
      'IEC 62443-3-3 SR 2.9',
      'IEC 62443-3-3 SR 2.12',
      'IEC 62443-3-3 SR 3.4',
      'IEC 62443-3-3 SR 3.9',
      'IEC 62443-3-3 SR 7.3',
      'IEC 62443-3-3 SR 7.4',
      'IEC 62443-3-3 SR 7.6',
      'NERC CIP-010-4 R1.1',
      'NERC CIP-010-4 R1.2',
      'NERC CIP-010-4 R1.3',
      'NERC CIP-010-4 R1.4',
      'NERC CIP-010-4 R1.5',
      'NERC CIP-010-4 R2.1',
      '21 CFR Part 11 11.10(a)',
      '21 CFR Part 11 11.10(e)',
      '21 CFR Part 11 11.10(f)',
      '21 CFR Part 11 11.10(g)',
      '21 CFR Part 11 11.50',
      '21 CFR Part 11 11.70',
      '21 CFR Part 11 11.200',
      '21 CFR Part 11 11.300',
      'EU GMP Annex 11 §9',
      'EU GMP Annex 11 §10',
      'EU GMP Annex 11 §12',
      'EU GMP Annex 11 §14',
      'ISO/IEC 27001:2022 A.8.32',
      'SOC 2 CC8.1',
    ]);
  });

  it('says why a change never submitted satisfies none of the change clauses, and leaves SR 7.6 out for a setpoint', () => {
    const r = new Map(evaluateCrosswalk(crosswalk, draft('Line1_SpeedSP')).map((c) => [c.id, c]));
    expect(r.get('cip010-r1.2')).toMatchObject({ status: 'not-satisfied', why: ['the change was never submitted'] });
    expect(r.get('cfr11-50')).toMatchObject({ status: 'not-satisfied', why: ['nobody signed anything on this change'] });
    expect(r.get('iec62443-sr7.3')).toMatchObject({ status: 'not-satisfied', why: ['no before-snapshot of plc'] });
    expect(r.get('cip010-r2.1')!.status).toBe('outside-pack');
    expect(r.get('iec62443-sr7.6')).toMatchObject({
      status: 'not-applicable',
      why: ['the change touches no network or security setting (SR 7.6 is not the change procedure)'],
    });
  });

  it('applies SR 7.6 when the change touches a network setting', () => {
    const r = evaluateCrosswalk(crosswalk, draft('Eth1_IP_Address')).find((c) => c.id === 'iec62443-sr7.6')!;
    expect(r).toMatchObject({ status: 'not-satisfied', why: ['no before/after diff shows the settings changed'] });
  });
});
