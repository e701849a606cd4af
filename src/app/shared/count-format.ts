import { LOCALE_ID, inject } from '@angular/core';

/**
 * Formats counts in the app's locale ("2,500"); call it in an injection context. Intl
 * directly: DecimalPipe would add Angular's number formatting to the initial bundle.
 */
export function countFormat(): (count: number) => string {
  return new Intl.NumberFormat(inject(LOCALE_ID)).format;
}
