import { badRequest, type CouchError } from './couch-error';

/**
 * What CouchDB would do with a request's body, for the endpoints where the body, not the
 * path, decides what gets read or written. Checked before the body goes on, so a rule
 * holds whatever the body says, and a malformed body is a 400 here rather than a 500 there.
 * Document writes (`POST /db`, `_bulk_docs`) stream unread: both servers refuse a member's
 * design documents there themselves (403), and their bodies carry attachments.
 */
export type BodyRule = 'bulk_get' | 'revs_diff' | 'query' | 'keys' | 'changes';

export function checkBody(rule: BodyRule, body: unknown): CouchError | null {
  if (!isObject(body)) return badRequest('Send a JSON object.');
  switch (rule) {
    case 'bulk_get': {
      const { docs } = body;
      const valid =
        Array.isArray(docs) && docs.every((doc) => isObject(doc) && isNonEmptyString(doc['id']) && optional(doc['rev'], isNonEmptyString));
      return valid ? null : badRequest('"docs" must be an array of {"id", "rev"?}.');
    }
    case 'revs_diff':
      return Object.values(body).every((revs) => Array.isArray(revs) && revs.every(isNonEmptyString))
        ? null
        : badRequest('Send {"<doc id>": ["<rev>", ...]}.');
    case 'query':
      return isObject(body['selector']) ? null : badRequest('"selector" must be a JSON object.');
    case 'keys':
      return optional(body['keys'], Array.isArray) ? null : badRequest('"keys" must be an array.');
    case 'changes': {
      const idsOk = optional(body['doc_ids'], (ids) => Array.isArray(ids) && ids.every(isNonEmptyString));
      return idsOk && optional(body['selector'], isObject)
        ? null
        : badRequest('"doc_ids" must be an array of ids and "selector" an object.');
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}
