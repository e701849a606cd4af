import { LOCALE_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AppDatePipe, dateFormat } from './date-format';
import { startOfLocalDay } from './local-today';

describe('dateFormat', () => {
  // Noon UTC: the same calendar day in every time zone the tests may run in.
  const moment = '2026-03-05T12:00:00.000Z';

  it('shows a calendar date as the medium date of the app’s locale, on its own day in every time zone', () => {
    expect(dateFormat('en-US').date('2026-03-05')).toBe('Mar 5, 2026');
    expect(dateFormat('fr').date('2026-03-05')).toBe('5 mars 2026');
    expect(dateFormat('es').date('2026-03-05')).toBe('5 mar 2026');
  });

  it('shows a moment as the medium date and short time, in the locale’s own order', () => {
    const at = new Date(moment);
    const time = new Intl.DateTimeFormat('fr', { timeStyle: 'short' }).format(at);
    expect(dateFormat('fr').date(moment)).toMatch(/^5 mars 2026\D+\d{2}:\d{2}$/);
    expect(dateFormat('fr').date(moment)).toContain(time);
    expect(dateFormat('en-US').date(moment)).toMatch(/^Mar 5, 2026, \d{1,2}:\d{2}\s[AP]M$/);
  });

  it('shows a moment of today as the time alone, one of another day as the date and time', () => {
    const at = new Date(moment);
    const time = new Intl.DateTimeFormat('fr', { timeStyle: 'short' }).format(at);
    expect(dateFormat('fr').timeToday(moment, startOfLocalDay(at))).toBe(time);
    const nextDay = new Date(at);
    nextDay.setDate(at.getDate() + 1);
    expect(dateFormat('fr').timeToday(moment, startOfLocalDay(nextDay))).toBe(dateFormat('fr').date(moment));
  });

  it('shows a calendar date of a year before 100 (a year typed short) in that year, as the form shows it, not in the 1900s', () => {
    expect(dateFormat('en-US').date('0026-03-05')).toBe('Mar 5, 26');
  });

  it('leaves nothing empty and text that is no date as it is', () => {
    expect(dateFormat('fr').date(null)).toBe('');
    expect(dateFormat('fr').date('')).toBe('');
    expect(dateFormat('fr').date('soon')).toBe('soon');
  });

  it('makes its formatters once per locale, not once per pipe (each row of a list has its own)', () => {
    expect(dateFormat('fr')).toBe(dateFormat('fr'));
    expect(dateFormat('fr')).not.toBe(dateFormat('es'));
  });

  it('follows LOCALE_ID in the pipe', () => {
    TestBed.configureTestingModule({ providers: [{ provide: LOCALE_ID, useValue: 'es' }] });
    const pipe = TestBed.runInInjectionContext(() => new AppDatePipe());
    expect(pipe.transform('2026-03-05')).toBe('5 mar 2026');
  });
});
