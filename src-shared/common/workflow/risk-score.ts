/**
 * Risk score = impact x probability + safety factor, and the band it falls in (the change guide; the scales, factors and
 * bands are the policy's `risk` section).
 */
import type { Policy } from './policy-schema.ts';
import type { SafetyImpact } from './workflow-terms.ts';
import { policyCitation } from './policy-citation.ts';

/** What the requester assessed: impact and probability on the policy's scales, and the safety impact. */
export interface RiskAssessment {
  impact: number;
  probability: number;
  safetyImpact: SafetyImpact;
}

/** A scored risk: the arithmetic, the band and a sentence saying how it was reached. */
export interface RiskResult {
  impact: number;
  probability: number;
  safetyImpact: SafetyImpact;
  safetyFactor: number;
  score: number;
  band: string;
  /** Index of the band in `risk.bands`, for the policy path. */
  bandIndex: number;
  reason: string;
}

/** "risk band 2 (score 6–11)": a band of the policy as a person reads it, numbered from 1. */
export function riskBandCitation(policy: Policy, bandIndex: number): string {
  const band = policy.risk.bands[bandIndex];
  if (!band) return `risk band ${bandIndex + 1}`;
  return `risk band ${bandIndex + 1} (score ${band.from}${band.to === undefined ? ' or more' : `–${band.to}`})`;
}

/** Scores an assessment, or says why it cannot be scored (a value off the policy's scale). */
export function scoreRisk(policy: Policy, a: RiskAssessment): { ok: true; risk: RiskResult } | { ok: false; problem: string } {
  const r = policy.risk;
  for (const [what, value] of [
    ['impact', a.impact],
    ['probability', a.probability],
  ] as const) {
    const scale = r[what];
    if (!Number.isInteger(value) || value < scale.min || value > scale.max) {
      return {
        ok: false,
        problem: `The ${what} ${value} is off the policy's scale of ${scale.min} to ${scale.max} (${policyCitation(`risk.${what}`)}).`,
      };
    }
  }
  const safetyFactor = r.safetyFactor[a.safetyImpact];
  const score = a.impact * a.probability + safetyFactor;
  const bandIndex = r.bands.findIndex((b) => score >= b.from && (b.to === undefined || score <= b.to));
  const band = r.bands[bandIndex];
  if (band === undefined)
    return { ok: false, problem: `The risk score ${score} is in no band of the policy (${policyCitation('risk.bands')}).` };
  return {
    ok: true,
    risk: {
      impact: a.impact,
      probability: a.probability,
      safetyImpact: a.safetyImpact,
      safetyFactor,
      score,
      band: band.name,
      bandIndex,
      reason:
        `Risk score ${a.impact} x ${a.probability} + ${safetyFactor} (safety impact ${a.safetyImpact}) = ${score}: ` +
        `${band.name} band (policy: ${riskBandCitation(policy, bandIndex)})`,
    },
  };
}
