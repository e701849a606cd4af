import { Location } from '@angular/common';
import { DOCUMENT, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { NavigationEnd, NavigationError, Router } from '@angular/router';
import { filter, take, takeUntil } from 'rxjs';

/** How browsers word a failed `import()`: Chromium, Firefox, Safari. */
const FAILED_IMPORT =
  /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/;

/** Whether an error is a page's code that did not arrive (a cut connection), not a fault of the page. */
export function isFailedPageLoad(error: unknown): boolean {
  return error instanceof TypeError && FAILED_IMPORT.test(error.message);
}

/**
 * The router's navigation error handler. A page loads its code on first use; when that fetch
 * fails (the connection cut before the service worker had cached it), the navigation ends
 * where it started, and without a word the tap seemed ignored. This says so and offers to try
 * again, by loading the page afresh: Chromium remembers a failed import for the page's life,
 * so navigating again in place would fail again. Other errors go on to the global handler.
 */
export function sayPageDidNotLoad(navigation: NavigationError): void {
  if (!isFailedPageLoad(navigation.error)) return;
  const page = inject(DOCUMENT).location;
  const target = inject(Location).prepareExternalUrl(navigation.url);
  const notice = inject(MatSnackBar).open(
    $localize`:@@pageLoad.failed:This page did not load. Check the connection and try again; your saved work is kept on this device.`,
    $localize`:@@start.retry:Try again`,
  );
  notice.onAction().subscribe(() => page.assign(target));
  // Stale once the user has gone elsewhere.
  inject(Router)
    .events.pipe(
      filter((event) => event instanceof NavigationEnd),
      take(1),
      takeUntil(notice.afterDismissed()),
    )
    .subscribe(() => notice.dismiss());
}
