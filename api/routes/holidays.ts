import { z } from 'zod';
import { HolidayYear } from '../../journey/holidays.ts';
import { calendarCoverage, deleteHolidayYear, listHolidayYears, putHolidayYear } from '../../store/holidays.ts';
import { readers } from '../auth.ts';
import { notFound, unprocessable } from '../problem.ts';
import { defineRoute } from '../route.ts';
import type { FieldError } from '../wire/common.ts';

const YearParams = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).describe('The calendar year, e.g. 2027.') });

const StoredYear = HolidayYear.extend({ year: z.number().int(), updatedAt: z.iso.datetime() }).meta({ id: 'StoredHolidayYear' });

const HolidayCalendar = z
  .object({
    /** The operator's years, on top of the official calendar. */
    years: z.array(StoredYear),
    /** This year and the next: which the calendar knows (official data or the operator's) and which not. */
    coverage: z.object({ known: z.array(z.number().int()), unknown: z.array(z.number().int()) }),
    /** One sentence per unknown year, for the editor and operators. */
    warnings: z.array(z.string()),
  })
  .meta({ id: 'HolidayCalendar' });

/** The calendar as `GET` answers it, at `now`. */
async function calendar(db: Parameters<typeof listHolidayYears>[0], now: Date): Promise<z.infer<typeof HolidayCalendar>> {
  const years = await listHolidayYears(db);
  const thisYear = now.getUTCFullYear();
  const coverage = calendarCoverage([thisYear, thisYear + 1], new Set(years.map((y) => y.year)));
  const warnings = coverage.unknown.map(
    (year) => `The holidays and make-up working days of ${year} are not known: journeys with send days count ${year} as ordinary weeks (Monday to Friday) until they are added (PUT /v1/settings/holidays/${year}).`,
  );
  return { years, coverage, warnings };
}

export const holidayRoutes = [
  defineRoute({
    operationId: 'getHolidayCalendar',
    method: 'get',
    path: '/settings/holidays',
    tag: 'Settings',
    summary: 'The holiday calendar of send days, and the years it does not know',
    description:
      'Send days (`sendDays` in journey settings) follow mainland China’s official holidays and 调休 make-up working days, ' +
      'as far as the bundled data goes, plus the years added here. `coverage.unknown` and `warnings` name this year or the next when neither knows it.',
    access: readers,
    responses: { 200: { description: 'The operator’s years and the coverage.', schema: HolidayCalendar } },
    async handler({ deps, now }) {
      return { status: 200, body: await calendar(deps.db, now) };
    },
  }),
  defineRoute({
    operationId: 'putHolidayYear',
    method: 'put',
    path: '/settings/holidays/:year',
    tag: 'Settings',
    summary: 'Set a year’s public holidays and make-up working days',
    description:
      'Replaces the operator’s calendar of the year (e.g. when the State Council publishes it). Its dates win over the bundled data; ' +
      'workers use it within 30 seconds. Every date must fall in the year and be listed once (not both a holiday and a working day): else a 422 naming it.',
    access: ['operator'],
    params: YearParams,
    body: HolidayYear,
    responses: { 200: { description: 'The stored year.', schema: StoredYear } },
    async handler({ params, body, deps, now }) {
      const errors: FieldError[] = [];
      const seen = new Map<string, string>();
      for (const list of ['holidays', 'workdays'] as const) {
        body[list].forEach((day, index) => {
          const path = `body.${list}[${index}].date`;
          const before = seen.get(day.date);
          if (!day.date.startsWith(`${params.year}-`)) errors.push({ path, message: `${day.date} is not in ${params.year}` });
          else if (before !== undefined) errors.push({ path, message: `${day.date} is already listed in ${before}` });
          seen.set(day.date, list);
        });
      }
      if (errors.length > 0) throw unprocessable(`every date must fall in ${params.year}, once`, errors);
      return { status: 200, body: await putHolidayYear(deps.db, params.year, body, now) };
    },
  }),
  defineRoute({
    operationId: 'deleteHolidayYear',
    method: 'delete',
    path: '/settings/holidays/:year',
    tag: 'Settings',
    summary: 'Remove the operator’s calendar of a year',
    access: ['operator'],
    params: YearParams,
    responses: { 204: { description: 'Removed.' } },
    async handler({ params, deps }) {
      if (!(await deleteHolidayYear(deps.db, params.year))) throw notFound(`holiday calendar of ${params.year}`);
      return { status: 204 };
    },
  }),
];
