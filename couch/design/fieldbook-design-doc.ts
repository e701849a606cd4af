import { join } from 'node:path';
import { couchFunctionSource } from './couch-function';

export const FIELDBOOK_DDOC_ID = '_design/fieldbook';

export interface DesignDoc {
  _id: string;
  _rev?: string;
  language: 'javascript';
  validate_doc_update: string;
  views: Record<string, { map: string; reduce?: string }>;
}

/** The design doc installed in every Fieldbook database, compiled from couch/ sources. */
export function fieldbookDesignDoc(): DesignDoc {
  const docViolations = couchFunctionSource(join(__dirname, '../../domain/doc-rules.ts'), 'docViolations');
  return {
    _id: FIELDBOOK_DDOC_ID,
    language: 'javascript',
    validate_doc_update:
      'function (newDoc, oldDoc, userCtx, secObj) {\n' +
      `  var violations = (${docViolations})(newDoc, oldDoc, userCtx);\n` +
      '  if (violations.length) throw({ forbidden: violations[0] });\n' +
      '}',
    views: {
      conflicts: { map: couchFunctionSource(join(__dirname, 'views.ts'), 'conflictsMap'), reduce: '_count' },
    },
  };
}
