import { describe, expect, it } from 'vitest';
import { csatSummary, npsSummary, surveyAnswer } from './survey.ts';

describe('NPS and CSAT', () => {
  it.each([
    [{ score: 9 }, { survey: 'nps', score: 9 }],
    [{ survey: 'nps', score: 0 }, { survey: 'nps', score: 0 }],
    [{ survey: 'csat', score: 5 }, { survey: 'csat', score: 5 }],
    [{ survey: 'csat', score: 7 }, null],
    [{ score: 11 }, null],
    [{ score: 7.5 }, null],
    [{ score: '9' }, null],
  ])('reads %j as %j', (properties, answer) => {
    expect(surveyAnswer(properties)).toEqual(answer);
  });

  it('computes NPS as % promoters − % detractors', () => {
    // 3 promoters (10, 9, 9), 2 passives (8, 7), 5 detractors (6, 5, 3, 0, 6): (3 − 5) / 10 = −20
    expect(npsSummary([10, 9, 9, 8, 7, 6, 5, 3, 0, 6])).toEqual({ respondents: 10, promoters: 3, passives: 2, detractors: 5, nps: -20 });
    expect(npsSummary([]).nps).toBeNull();
  });

  it('computes CSAT as % scoring 4 or 5', () => {
    expect(csatSummary([5, 4, 2])).toEqual({ respondents: 3, satisfied: 2, csat: 66.7 });
    expect(csatSummary([]).csat).toBeNull();
  });
});
