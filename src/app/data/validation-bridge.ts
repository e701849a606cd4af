import { docViolations } from '../../../domain/doc-rules';
import { Session } from '../core/session.model';
import { ruleMessage, type RuleJudge } from '../i18n/rule-messages';

/** Violation messages keyed by field path (`title`, `checklist[2].label`), first message per field. */
export type FieldErrors = Readonly<Record<string, string>>;

/** A save refused by the shared document rules before anything was written. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldErrors) {
    super(
      Object.entries(errors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('; '),
    );
    this.name = 'ValidationError';
  }
}

/**
 * Splits `"<field>: <message>"` strings by field, the messages translated: the app's own rules'
 * (`judge` 'app') or a server's `forbidden` reason.
 */
export function fieldErrors(violations: readonly string[], judge: RuleJudge = 'server'): FieldErrors {
  const errors: Record<string, string> = {};
  for (const violation of violations) {
    const colon = violation.indexOf(': ');
    const field = colon > 0 ? violation.slice(0, colon) : '_doc';
    const message = ruleMessage(colon > 0 ? violation.slice(colon + 2) : violation, judge);
    errors[field] ??= message;
  }
  return errors;
}

/** Runs the same rules CouchDB's validate_doc_update runs, as the given user. */
export function validateDoc(
  newDoc: { _id: string; _rev?: string; _deleted?: boolean },
  oldDoc: object | null,
  session: Pick<Session, 'name' | 'roles'>,
): FieldErrors {
  return fieldErrors(
    docViolations(newDoc as Record<string, unknown>, oldDoc as Record<string, unknown> | null, {
      name: session.name,
      roles: session.roles,
    }),
    'app',
  );
}
