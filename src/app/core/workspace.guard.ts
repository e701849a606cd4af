import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { SessionService } from './session.service';
import { WorkspaceService } from './workspace.service';

/** Pages with data need a user and their open local database; otherwise go to login. */
export const workspaceGuard: CanActivateFn = async () => {
  // inject() only works before the first await.
  const sessions = inject(SessionService);
  const workspace = inject(WorkspaceService);
  const router = inject(Router);
  await sessions.ready();
  // The session now, not the one found at startup: the user may have logged in since.
  const session = sessions.session();
  if (!session) return router.parseUrl('/login');
  await workspace.open(session);
  return true;
};
