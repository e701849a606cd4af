import { DOCUMENT, DestroyRef, inject } from '@angular/core';

/**
 * Has the browser ask before the page goes (a reload, an app update, the tab closed) while
 * `unsaved()` holds: the router's guard asks only before a move inside the app. Call it in an
 * injection context; it stops with that context.
 */
export function askBeforeUnload(unsaved: () => boolean): void {
  const window = inject(DOCUMENT).defaultView!;
  const ask = (event: BeforeUnloadEvent) => {
    if (unsaved()) event.preventDefault();
  };
  window.addEventListener('beforeunload', ask);
  inject(DestroyRef).onDestroy(() => window.removeEventListener('beforeunload', ask));
}
