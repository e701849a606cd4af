/**
 * The reasons (CouchDB's `reason`) the proxy's own API gives for what a user of the app can
 * meet, worded once: the proxy sends them in English, as CouchDB does, and the app recognises
 * them to say them in the user's language (src/app/i18n/api-reason-messages.ts).
 */
export const API_REASONS = {
  notLoggedIn: 'You are not logged in.',
  databaseSilent: 'The database server did not answer in time.',
  databaseUnreachable: 'The database server is not reachable.',
  proxyFailed: 'The proxy failed; see its log.',
  changeNotMade: 'The database server did not complete the change; see the proxy log.',
  settingsUnread: 'The database server did not answer with the settings.',
  usersUnlisted: 'The database server did not list its users.',
  jobsUnlisted: 'The database server did not list its replication jobs.',
  usersAdminsOnly: 'Only administrators may manage users.',
  settingsAdminsOnly: 'Only administrators may change the settings.',
  jobsAdminsOnly: 'Only administrators may see replication jobs.',
  ownAccount: 'You cannot change your own account here: another administrator or `npm run user` can.',
  // What a sync can meet: a database not (or no longer) the user's, one they may only read.
  notYourDatabase: 'You are not allowed to access this database.',
  readOnlyDatabase: 'This database is read-only for you.',
} as const;

/** Reasons about one login, which name it. */
export const USER_REASONS = {
  exists: (name: string) => `There is already a user "${name}".`,
  missing: (name: string) => `There is no user "${name}".`,
  operatorAdmin: (name: string) => `"${name}" is a server admin of CouchDB's configuration; manage it there.`,
  lockedData: (name: string) =>
    `"${name}" was removed before and their data stays locked to server admins: delete their database in Fauxton to use the name again, or choose another name.`,
  disabled: (name: string) => `"${name}" is disabled: enable them with a new password instead.`,
  notDisabled: (name: string) => `"${name}" is not disabled.`,
  noRole: (name: string) => `"${name}" has no Fieldbook role to enable them with.`,
  changedMeanwhile: (name: string) => `Another administrator changed "${name}" meanwhile; try again.`,
} as const;

/**
 * A refusal by a rule the app's forms hold to as well (domain/user-name.ts, password-rule.ts):
 * the rule's own clause, which the user CLI prints, as the API's sentence.
 */
export function ruleReason(problem: string): string {
  return `${problem[0].toUpperCase()}${problem.slice(1)}.`;
}

export type ApiReason = keyof typeof API_REASONS;
export type UserReason = keyof typeof USER_REASONS;
