/** The least a Fieldbook password must be: the user CLI, the admin API and the admin page check the same. */
export const MIN_PASSWORD_LENGTH = 8;

/** Why a new password is refused, or null when it will do. */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string' || password.length === 0) return 'a password is required';
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  // Half a character: the database server fails on it (CouchDB 3.4 answered 400, passed on as 502).
  if (/\p{Cs}/u.test(password)) return 'a password must be valid Unicode text';
  return null;
}
