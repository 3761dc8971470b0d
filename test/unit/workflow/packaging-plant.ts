/**
 * The 24-line packaging plant of the OT change framework, for workflow tests: 3 tier-1 lines, 14 tier-2 lines, 7 tier-3 lines,
 * and the people of its RACI with the roles of the default policy.
 */
import { readFileSync } from 'node:fs';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';
import type { Policy } from '../../../src-shared/common/workflow/policy-schema.ts';
import type { LineFact, LineTier, Participant } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { parseCheckpointsYaml, type CheckpointSet } from '../../../src-shared/common/workflow/checkpoints.ts';
import { parseChecklistTemplates, type ChecklistTemplates } from '../../../src-shared/common/workflow/checklists.ts';

const id = (n: number): string => `L${String(n).padStart(2, '0')}`;
const tierOf = (n: number): LineTier => (n <= 3 ? 1 : n <= 17 ? 2 : 3);

/** L01-L03 tier 1, L04-L17 tier 2, L18-L24 tier 3. */
export const PLANT_LINES: readonly LineFact[] = Array.from({ length: 24 }, (_, i) => ({ id: id(i + 1), tier: tierOf(i + 1) }));

/** The plant's lines of one tier. */
export function linesOfTier(tier: LineTier): LineFact[] {
  return PLANT_LINES.filter((l) => l.tier === tier);
}

/** One line by id. */
export function line(lineId: string): LineFact {
  const found = PLANT_LINES.find((l) => l.id === lineId);
  if (found === undefined) throw new Error(`no line ${lineId}`);
  return found;
}

/** resources/policy/default-policy.yaml, parsed. */
export function defaultPolicy(): Policy {
  return loadPolicyYaml(
    readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8'),
    'default-policy.yaml',
  );
}

/** The go/no-go checkpoints shipped in resources/checklists/, parsed. */
export function defaultCheckpoints(): CheckpointSet {
  return parseCheckpointsYaml(
    readFileSync(new URL('../../../resources/checklists/execution-checkpoints.yaml', import.meta.url), 'utf8'),
    'execution-checkpoints.yaml',
  );
}

/** The shipped checklist templates (resources/checklists/checklist-templates.yaml), parsed against the shipped checkpoints. */
export function defaultChecklists(): ChecklistTemplates {
  return parseChecklistTemplates(
    readFileSync(new URL('../../../resources/checklists/checklist-templates.yaml', import.meta.url), 'utf8'),
    'checklist-templates.yaml',
    defaultCheckpoints().checkpoints.map((c) => c.id),
  );
}

/** test/fixtures/policy/minimal.yaml (Europe/Berlin), parsed. */
export function minimalPolicy(): Policy {
  return loadPolicyYaml(readFileSync(new URL('../../fixtures/policy/minimal.yaml', import.meta.url), 'utf8'), 'minimal.yaml');
}

const person = (pid: string, name: string, roles: string[]): Participant => ({ id: pid, name, roles });

/** People of the plant, by their RACI roles. */
export const PEOPLE = {
  eng: person('p-eng', 'Erin Engineer', ['controls-engineer']),
  eng2: person('p-eng2', 'Eli Engineer', ['controls-engineer']),
  pem: person('p-pem', 'Pat Manager', ['plant-engineering-manager']),
  pem2: person('p-pem2', 'Pam Manager', ['plant-engineering-manager']),
  sec: person('p-sec', 'Sam Security', ['ot-security']),
  qa: person('p-qa', 'Quinn Quality', ['quality-compliance']),
  safety: person('p-safety', 'Sofia Safety', ['safety-manager']),
  process: person('p-process', 'Paco Process', ['process-safety']),
  super: person('p-super', 'Sid Supervisor', ['shift-supervisor']),
  onCall: person('p-oncall', 'Olga On-Call', ['on-call-manager']),
  plantMgr: person('p-plant', 'Priya Plant', ['plant-manager']),
  vp: person('p-vp', 'Victor VP', ['vp-operations']),
  /** A manager who is also on the CAB for OT security (two roles, one person). */
  both: person('p-both', 'Bo Both', ['plant-engineering-manager', 'ot-security']),
} as const;
