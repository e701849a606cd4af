import { LOCALE_ID, Pipe, PipeTransform, inject } from '@angular/core';
import { startOfLocalDay } from './local-today';

/** A calendar date as the documents store it ("2026-12-02": a day, no time zone). */
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type DateInput = string | number | Date | null | undefined;

export type DateFormat = ReturnType<typeof newDateFormat>;

/**
 * Made once per locale: each `| appDate` in a list row is a pipe of its own, and making three
 * Intl formatters for each cost a 50-row list about 50 ms on a slow tablet.
 */
const formats = new Map<string, DateFormat>();

/**
 * The app's one way of showing dates, in the app's locale: a moment as medium date and short
 * time ("Dec 2, 2026, 11:33 AM", "2 déc. 2026, 11:33"), a calendar date as the medium date
 * alone, a moment of today as the short time alone. Intl directly: Angular's DatePipe would add
 * its date formatting to the bundle. Call it in an injection context.
 */
export function dateFormat(locale = inject(LOCALE_ID)): DateFormat {
  let format = formats.get(locale);
  if (!format) formats.set(locale, (format = newDateFormat(locale)));
  return format;
}

function newDateFormat(locale: string) {
  const moment = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  return {
    /** A calendar date as a day, anything else as a moment; '' for nothing, the text itself if it is no date. */
    date(value: DateInput): string {
      if (value === null || value === undefined || value === '') return '';
      const calendar = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
      // new Date('2026-12-02') is midnight UTC, the day before west of Greenwich: read it as local.
      if (calendar) return day.format(localDay(Number(calendar[1]), Number(calendar[2]) - 1, Number(calendar[3])));
      const at = new Date(value);
      return Number.isNaN(at.getTime()) ? String(value) : moment.format(at);
    },
    /** The time alone for a moment of `today` (a local midnight, localToday), else the moment: the sync chip. */
    timeToday(value: string | number | Date, today: number): string {
      const at = new Date(value);
      return startOfLocalDay(at) === today ? time.format(at) : moment.format(at);
    },
  };
}

/** Local midnight of a day; setFullYear, since new Date(y, m, d) takes a year below 100 as 19yy. */
function localDay(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setHours(0, 0, 0, 0);
  date.setFullYear(year, monthIndex, day);
  return date;
}

/** `{{ doc.updatedAt | appDate }}`: dateFormat().date in a template. */
@Pipe({ name: 'appDate' })
export class AppDatePipe implements PipeTransform {
  private readonly format = dateFormat();

  transform(value: DateInput): string {
    return this.format.date(value);
  }
}
