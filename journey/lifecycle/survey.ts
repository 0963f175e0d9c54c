import type { AttributeValue } from '../customer.ts';

/**
 * NPS and CSAT from `survey_answered` events.
 *
 * An answer is `survey_answered` with `properties.score`; `properties.survey` says which survey:
 * `csat` (score 1–5) or anything else / absent = NPS (score 0–10). Invalid scores are ignored.
 * A customer's NPS / CSAT is their latest valid answer.
 *
 * - NPS of a group = round(100 × (promoters − detractors) / respondents), promoters scoring
 *   9–10, passives 7–8, detractors 0–6; −100…100.
 * - CSAT of a group = % of respondents scoring 4 or 5, one decimal.
 */

export type SurveyKind = 'nps' | 'csat';

/** A valid survey answer read from an event's properties, or null. */
export function surveyAnswer(properties: Readonly<Record<string, AttributeValue>>): { survey: SurveyKind; score: number } | null {
  const score = properties['score'];
  if (typeof score !== 'number' || !Number.isInteger(score)) return null;
  if (properties['survey'] === 'csat') return score >= 1 && score <= 5 ? { survey: 'csat', score } : null;
  return score >= 0 && score <= 10 ? { survey: 'nps', score } : null;
}

export interface NpsSummary {
  respondents: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** null without respondents. */
  nps: number | null;
}

/** @example npsSummary([10, 9, 8, 3]) // nps 25: (2 − 1) / 4 */
export function npsSummary(scores: readonly number[]): NpsSummary {
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const respondents = scores.length;
  const nps = respondents === 0 ? null : Math.round((100 * (promoters - detractors)) / respondents);
  return { respondents, promoters, passives: respondents - promoters - detractors, detractors, nps };
}

export interface CsatSummary {
  respondents: number;
  satisfied: number;
  /** % satisfied, one decimal; null without respondents. */
  csat: number | null;
}

/** @example csatSummary([5, 4, 2]) // csat 66.7 */
export function csatSummary(scores: readonly number[]): CsatSummary {
  const satisfied = scores.filter((s) => s >= 4).length;
  const respondents = scores.length;
  return { respondents, satisfied, csat: respondents === 0 ? null : Math.round((1000 * satisfied) / respondents) / 10 };
}
