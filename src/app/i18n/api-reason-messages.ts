import { API_REASONS, ruleReason, USER_REASONS, type ApiReason, type UserReason } from '../../../domain/api-reasons';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../../domain/password-rule';
import { partnerNameProblem, userNameProblem } from '../../../domain/user-name';

/**
 * The proxy's API speaks English (domain/api-reasons.ts), as CouchDB does; its reasons are
 * translated here, recognised by their English wording. A reason not listed (CouchDB's own, or
 * a newer server's) is shown in its own words.
 */
const MESSAGES: Readonly<Record<ApiReason, string>> = {
  notLoggedIn: $localize`:@@reason.notLoggedIn:You are not signed in.`,
  databaseSilent: $localize`:@@reason.databaseSilent:The database server did not answer in time.`,
  databaseUnreachable: $localize`:@@reason.databaseUnreachable:The database server is not reachable.`,
  proxyFailed: $localize`:@@reason.proxyFailed:The server failed; its log says why.`,
  changeNotMade: $localize`:@@reason.changeNotMade:The database server did not complete the change; the server's log says why.`,
  settingsUnread: $localize`:@@reason.settingsUnread:The database server did not answer with the settings.`,
  usersUnlisted: $localize`:@@reason.usersUnlisted:The database server did not list its users.`,
  jobsUnlisted: $localize`:@@reason.jobsUnlisted:The database server did not list its replication jobs.`,
  usersAdminsOnly: $localize`:@@reason.usersAdminsOnly:Only administrators may manage users.`,
  settingsAdminsOnly: $localize`:@@reason.settingsAdminsOnly:Only administrators may change the settings.`,
  jobsAdminsOnly: $localize`:@@reason.jobsAdminsOnly:Only administrators may see replication jobs.`,
  ownAccount: $localize`:@@reason.ownAccount:You cannot change your own account here: another administrator can, or \`npm run user\` on the server.`,
  notYourDatabase: $localize`:@@reason.notYourDatabase:You are not allowed to use this database.`,
  readOnlyDatabase: $localize`:@@reason.readOnlyDatabase:This database is read-only for you.`,
};

const ABOUT_USER: Readonly<Record<UserReason, (name: string) => string>> = {
  exists: (name) => $localize`:@@reason.userExists:There is already a user “${name}:name:”.`,
  missing: (name) => $localize`:@@reason.userMissing:There is no user “${name}:name:”.`,
  operatorAdmin: (name) =>
    $localize`:@@reason.operatorAdmin:“${name}:name:” is a server admin in CouchDB's configuration; manage it there.`,
  lockedData: (name) =>
    $localize`:@@reason.lockedData:“${name}:name:” was removed before and their data stays locked to server admins: delete their database in Fauxton to use the name again, or choose another name.`,
  disabled: (name) => $localize`:@@reason.userDisabled:“${name}:name:” is disabled: enable them with a new password instead.`,
  notDisabled: (name) => $localize`:@@reason.userNotDisabled:“${name}:name:” is not disabled.`,
  noRole: (name) => $localize`:@@reason.noRole:“${name}:name:” has no Fieldbook role to enable them with.`,
  changedMeanwhile: (name) => $localize`:@@reason.changedMeanwhile:Another administrator changed “${name}:name:” meanwhile; try again.`,
};

// Stands for the name in a reason's wording; no login name holds it.
const NAME = '\u0000';

/*
 * The refusals of the rules the app's forms hold to as well, worded by the rules themselves as
 * the proxy sends them (ruleReason): the forms stop most of them, a server of another version may not.
 */
const PASSWORD_RULES: [string, string][] = [
  [ruleReason(passwordProblem('')!), $localize`:@@reason.passwordRequired:A password is required.`],
  // One character: too short.
  [
    ruleReason(passwordProblem('-')!),
    $localize`:@@reason.passwordTooShort:A password needs at least ${MIN_PASSWORD_LENGTH}:count: characters.`,
  ],
  [
    ruleReason(passwordProblem('\ud800'.repeat(MIN_PASSWORD_LENGTH))!),
    $localize`:@@reason.passwordUnicode:A password must be valid text (part of a character is missing).`,
  ],
];
const NAME_RULES = [
  {
    wording: ruleReason(userNameProblem(NAME)!),
    message: (name: string) =>
      $localize`:@@reason.invalidUserName:Invalid user name “${name}:name:”: use 1 to 64 lowercase letters, digits, _ . or -, starting with a letter.`,
  },
  {
    wording: ruleReason(partnerNameProblem(NAME)!),
    message: (name: string) =>
      $localize`:@@reason.invalidPartnerName:Invalid partner name “${name}:name:”: use lowercase letters, digits, _ or -, starting with a letter.`,
  },
];

const BY_WORDING = new Map([
  ...(Object.keys(API_REASONS) as ApiReason[]).map((reason): [string, string] => [API_REASONS[reason], MESSAGES[reason]]),
  ...PASSWORD_RULES,
]);

/** The wordings that name a login, split around where the name goes. */
const NAMING_WORDINGS = [
  ...(Object.keys(USER_REASONS) as UserReason[]).map((reason) => ({ wording: USER_REASONS[reason](NAME), message: ABOUT_USER[reason] })),
  ...NAME_RULES,
].map(({ wording, message }) => {
  const [before, after] = wording.split(NAME) as [string, string];
  return { before, after, message };
});

/** A reason of the proxy's API, in the app's language. */
export function apiReasonMessage(reason: string): string {
  const message = BY_WORDING.get(reason);
  if (message) return message;
  for (const { before, after, message: about } of NAMING_WORDINGS) {
    if (reason.length > before.length + after.length && reason.startsWith(before) && reason.endsWith(after))
      return about(reason.slice(before.length, reason.length - after.length));
  }
  return reason;
}
