import { describe, expect, it } from 'vitest';
import { proposalView, type ProposalTagFacts } from '../../../src-shared/common/diff/proposal-view.ts';
import type { DiffableDocument } from '../../../src-shared/common/diff/diffable-document.ts';

const controller = { id: 'c1', protocol: 'modbus-tcp', address: '127.0.0.1:502 unit 1', description: 'PLC-L01-FILLER' };
const profile: ProposalTagFacts[] = [
  { tag: 'SpeedSP', address: 'hr:0', type: 'FLOAT32', class: 'config', safety: false, writable: true },
  { tag: 'GuardBypass', address: 'co:3', type: 'BOOL', class: 'config', safety: true, writable: false },
];

describe('the proposed change as a diff', () => {
  it("shows the controller's current value as before, the proposed value as after, with the profile's flags", () => {
    const current: DiffableDocument = {
      controller,
      identity: null,
      values: [
        {
          tag: 'SpeedSP',
          address: 'hr:0',
          type: 'FLOAT32',
          value: 12.5,
          raw: '41480000',
          quality: 'good',
          class: 'config',
          safety: false,
          writable: true,
        },
        {
          tag: 'GuardBypass',
          address: 'co:3',
          type: 'BOOL',
          value: false,
          raw: '00',
          quality: 'good',
          class: 'config',
          safety: true,
          writable: false,
        },
      ],
    };
    const v = proposalView(
      controller,
      [
        { tag: 'SpeedSP', from: 11, to: 14 },
        { tag: 'GuardBypass', to: true },
      ],
      profile,
      { document: current, label: 'baseline v2' },
    );
    expect(v.currentFrom).toBe('baseline v2');
    expect(v.diff.rows.map((r) => [r.tag, r.kind, r.before?.value, r.after?.value, r.safety, r.writable])).toEqual([
      ['SpeedSP', 'changed', 12.5, 14, false, true],
      ['GuardBypass', 'changed', false, true, true, false],
    ]);
    expect(v.diff.identityChanges).toEqual([]);
  });

  it('without a capture uses the request\'s "from" values, and names tags the profile lacks', () => {
    const v = proposalView(
      controller,
      [
        { tag: 'SpeedSP', from: 12.5, to: 14 },
        { tag: 'Nope', to: 1 },
      ],
      profile,
      null,
    );
    expect(v.diff.rows.find((r) => r.tag === 'SpeedSP')?.before?.value).toBe(12.5);
    expect(v.diff.rows.find((r) => r.tag === 'Nope')?.kind).toBe('added');
    expect(v.notInProfile).toEqual(['Nope']);
    expect(v.currentFrom).toMatch(/from/);
  });
});
