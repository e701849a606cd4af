import { docViolations } from '../../../domain/doc-rules';
import { Session } from '../core/session.model';
import { ruleMessage } from '../i18n/rule-messages';

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

/** Splits `"<field>: <message>"` strings (from the rules or a CouchDB `forbidden` reason) by field, the messages translated. */
export function fieldErrors(violations: readonly string[]): FieldErrors {
  const errors: Record<string, string> = {};
  for (const violation of violations) {
    const colon = violation.indexOf(': ');
    const field = colon > 0 ? violation.slice(0, colon) : '_doc';
    const message = ruleMessage(colon > 0 ? violation.slice(colon + 2) : violation);
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
  );
}
