/**
 * Where in the change policy a rule comes from, in words for the people who read it ("policy: normal changes,
 * approvals; tier 1 lines") rather than as the policy file's paths ("classes.normal.approvals, tiers.1").
 */

/** A policy field's name in words. */
const FIELD_WORDS: Record<string, string> = {
  approvals: 'approvals',
  notice: 'notice',
  maxRiskBand: 'highest risk band',
  followTierAndRisk: 'tier and risk rules',
  requiresWindow: 'change windows',
  dualControl: 'dual control',
  breakGlass: 'break-glass',
  approvalTimeout: 'approval timeout',
  requiredFields: 'required fields',
  approverRoles: 'who may approve',
  staging: 'staging deploy',
  diffReview: 'diff review',
  impact: 'impact scale',
  probability: 'probability scale',
  bands: 'risk bands',
  supersedes: 'approvals that cover others',
};

/** A camelCase field name as words, when the table above does not name it. */
function fieldWords(field: string): string {
  return FIELD_WORDS[field] ?? field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** One policy path in words. */
function pathWords(path: string): string {
  const tier = /^tiers\.(\d+)(?:\.(.+))?$/.exec(path);
  if (tier) return `tier ${tier[1]} lines${tier[2] ? `, ${tier[2].split('.').map(fieldWords).join(', ')}` : ''}`;
  const cls = /^classes\.([\w-]+)(?:\.(.+))?$/.exec(path);
  if (cls) return `${cls[1]} changes${cls[2] ? `, ${cls[2].split('.').map(fieldWords).join(', ')}` : ''}`;
  const blackout = /^blackouts\[(\d+)\]$/.exec(path);
  if (blackout) return `blackout ${Number(blackout[1]) + 1}`;
  if (path === 'risk') return 'risk scale';
  if (path.startsWith('risk.')) return fieldWords(path.slice('risk.'.length));
  if (path === 'safetyTags') return 'safety tags';
  if (path === 'windows') return 'change windows';
  return path.split('.').map(fieldWords).join(', ');
}

/** "policy: normal changes, approvals; tier 1 lines" for the policy paths "classes.normal.approvals", "tiers.1". */
export function policyCitation(...paths: string[]): string {
  return `policy: ${paths.map(pathWords).join('; ')}`;
}
