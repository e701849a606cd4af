/** Login names: readable in database names, URLs and logs (CouchDB's `_users` would take more). */
export const USER_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Partner names become database names, which allow fewer characters than user names ("."). */
export const PARTNER_NAME = /^[a-z][a-z0-9_-]*$/;

/** Why a login name is refused, or null. */
export function userNameProblem(name: string): string | null {
  return USER_NAME.test(name)
    ? null
    : `invalid user name "${name}": use 1-64 lowercase letters, digits, "_", "." or "-", starting with a letter`;
}

/** Why a partner's name is refused, or null. */
export function partnerNameProblem(name: string): string | null {
  return PARTNER_NAME.test(name)
    ? null
    : `invalid partner name "${name}": use lowercase letters, digits, "_" or "-", starting with a letter`;
}
