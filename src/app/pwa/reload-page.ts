import { DOCUMENT, InjectionToken, inject } from '@angular/core';

/** Loads the page afresh; a token so that specs see the reload without reloading the test page. */
export const RELOAD_PAGE = new InjectionToken<() => void>('RELOAD_PAGE', {
  factory: () => {
    const page = inject(DOCUMENT).location;
    return () => page.reload();
  },
});
