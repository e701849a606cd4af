import { inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { CanActivateFn, Router } from '@angular/router';
import { RETURN_PARAM } from '../auth/return-path';
import { SessionService } from './session.service';
import { WorkspaceService } from './workspace.service';

/**
 * Pages with data need a user and their open local database; otherwise go to login, keeping
 * the link the user opened for after it.
 */
export const workspaceGuard: CanActivateFn = async (_route, state) => {
  // inject() only works before the first await.
  const sessions = inject(SessionService);
  const workspace = inject(WorkspaceService);
  const router = inject(Router);
  const snackBar = inject(MatSnackBar);
  await sessions.ready();
  // The session now, not the one found at startup: the user may have logged in since.
  const session = sessions.session();
  if (!session) return router.createUrlTree(['/login'], state.url === '/' ? {} : { queryParams: { [RETURN_PARAM]: state.url } });
  try {
    await workspace.open(session);
    return true;
  } catch (error) {
    // The browser's storage refused (full, or damaged): without a word the page stayed blank.
    console.error('The local database could not be opened', error);
    snackBar
      .open(
        $localize`:@@workspace.openFailed:Your data on this device could not be opened. The browser's storage may be full or damaged; try again, or free space on the device.`,
        $localize`:@@start.retry:Try again`,
      )
      .onAction()
      .subscribe(() => document.location.reload());
    return false;
  }
};
