import { fieldLabel } from '../shared/field-labels';

/**
 * The shared document rules (domain/doc-rules.ts) speak English, in the browser and as
 * CouchDB's `forbidden` reasons alike, and domain/ stays free of Angular: their messages are
 * translated here, by their English text. A message not listed (only a modified client or a
 * newer server could meet one) is shown in the rules' own words.
 */
const MESSAGES: Readonly<Record<string, string>> = {
  'is required': $localize`:@@rule.required:is required`,
  'must be a string': $localize`:@@rule.string:must be text`,
  'must be a whole number from 1': $localize`:@@rule.schemaNumber:must be a whole number from 1`,
  'must be valid Unicode text': $localize`:@@rule.unicode:must be valid text (part of a character is missing)`,
  'must be unique': $localize`:@@rule.unique:must be unique`,
  'must have at most 200 items': $localize`:@@rule.maxItems:must have at most 200 items`,
  'cannot be changed': $localize`:@@rule.unchangeable:cannot be changed`,
  'must be your own user name': $localize`:@@rule.ownName:must be your own user name`,
  'must be a date (YYYY-MM-DD)': $localize`:@@rule.date:must be a valid date`,
  'must be a whole number from 1 to 5': $localize`:@@rule.severity:must be a whole number from 1 to 5`,
  'must be answered (or marked N/A) before submitting': $localize`:@@rule.answerBeforeSubmit:must be answered (or marked N/A) before submitting`,
  'only the owner may delete this document': $localize`:@@rule.ownerDeletes:only the owner may delete this document`,
  'only a supervisor may share with partners': $localize`:@@rule.supervisorShares:only a supervisor may share with partners`,
  'only a supervisor may assign inspections': $localize`:@@rule.supervisorAssigns:only a supervisor may assign inspections`,
  'only a supervisor may reassign inspections': $localize`:@@rule.supervisorReassigns:only a supervisor may reassign inspections`,
  'this inspection was reassigned to another inspector': $localize`:@@rule.reassignedAway:this inspection was reassigned to another inspector`,
  'only a supervisor may approve or reject': $localize`:@@rule.supervisorDecides:only a supervisor may approve or reject`,
  'an approved inspection can only be changed by a supervisor': $localize`:@@rule.approvedLocked:an approved inspection can only be changed by a supervisor`,
  'a submitted inspection is read-only until a supervisor rejects it': $localize`:@@rule.submittedLocked:a submitted inspection is read-only until a supervisor rejects it`,
  'the defects of an approved inspection can only be changed by a supervisor': $localize`:@@rule.approvedDefectsLocked:the defects of an approved inspection can only be changed by a supervisor`,
  'the defects of a submitted inspection are read-only until a supervisor rejects it': $localize`:@@rule.submittedDefectsLocked:the defects of a submitted inspection are read-only until a supervisor rejects it`,
};

const AT_MOST = /^must be at most (\d+) characters$/;
const IMAGE_TYPE = /^(.+) must be a JPEG, PNG or WebP image$/;
// A tablet and a server on different releases (domain/schema-versions.ts).
const SCHEMA_NEWER = /^version (\d+) is newer than these rules know \((\d+) to (\d+)\): update the server first$/;
const SCHEMA_OLDER = /^version (\d+) is no longer accepted \((\d+) to (\d+)\): update the app$/;

/**
 * Whose copy of the rules spoke: this app's, checking a save before it is written, or the
 * server's, refusing one. A record newer than the rules know means the one that spoke is behind.
 */
export type RuleJudge = 'app' | 'server';

/** One message of the rules ("is required"), in the app's language. */
export function ruleMessage(message: string, judge: RuleJudge = 'server'): string {
  const atMost = AT_MOST.exec(message);
  if (atMost) return $localize`:@@rule.maxLength:must be at most ${atMost[1]}:max: characters`;
  const image = IMAGE_TYPE.exec(message);
  if (image) return $localize`:@@rule.imageType:${image[1]}:name: must be a JPEG, PNG or WebP image`;
  const newer = SCHEMA_NEWER.exec(message);
  if (newer && judge === 'app') {
    return $localize`:@@rule.schemaNewerThanApp:version ${newer[1]}:version: is newer than this app knows (${newer[2]}:oldest: to ${newer[3]}:current:): update the app`;
  }
  if (newer) {
    return $localize`:@@rule.schemaNewer:version ${newer[1]}:version: is newer than the server accepts (${newer[2]}:oldest: to ${newer[3]}:current:): the server must be updated first`;
  }
  const older = SCHEMA_OLDER.exec(message);
  if (older) {
    return $localize`:@@rule.schemaOlder:version ${older[1]}:version: is no longer accepted (${older[2]}:oldest: to ${older[3]}:current:): update the app`;
  }
  return MESSAGES[message] ?? message;
}

/**
 * A whole violation as the rules and CouchDB word it ("scheduledFor: is required"), in the
 * app's words: its field as the app labels it ("Scheduled for: is required").
 */
export function ruleViolation(violation: string): string {
  const colon = violation.indexOf(': ');
  if (colon <= 0) return ruleMessage(violation);
  const [field, message] = [fieldOf(violation.slice(0, colon)), ruleMessage(violation.slice(colon + 2))];
  return $localize`:@@rule.violation:${field}:field:: ${message}:message:`;
}

/** A field the rules name by its path (`checklist[0].result`), as the app labels it: "Checklist 1 · Result". */
function fieldOf(path: string): string {
  return path
    .split('.')
    .map((part) => {
      const item = /^(.+)\[(\d+)\]$/.exec(part);
      return item ? `${fieldLabel(item[1]!)} ${Number(item[2]) + 1}` : fieldLabel(part);
    })
    .join(' · ');
}
