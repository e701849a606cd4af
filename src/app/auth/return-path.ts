/** The query parameter that carries where a user was going when they were sent to log in. */
export const RETURN_PARAM = 'next';

/**
 * Where to go after logging in: the app path the user was sent away from, else the list. Only
 * a path of this app (`/…`, not `//host/…` or a URL), so a crafted link cannot send a user
 * who has just typed their password to another site.
 */
export function returnPath(next: string | null): string {
  const ours = !!next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login');
  return ours ? next : '/inspections';
}
