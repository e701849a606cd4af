import { join } from 'node:path';
import { FIELDBOOK_DDOC_ID, type DesignDoc } from '../design-docs';
import { couchFunctionSource } from './couch-function';

/**
 * The design doc installed in every Fieldbook database, compiled from couch/ and domain/
 * sources at build time (build.ts); the bootstrap reads the result (couch/design-docs.ts).
 */
export function fieldbookDesignDoc(): DesignDoc {
  const docViolations = couchFunctionSource(join(__dirname, '../../domain/doc-rules.ts'), 'docViolations');
  const schemaVersions = couchFunctionSource(join(__dirname, '../../domain/schema-versions.ts'), 'schemaVersions');
  return {
    _id: FIELDBOOK_DDOC_ID,
    language: 'javascript',
    validate_doc_update:
      'function (newDoc, oldDoc, userCtx, secObj) {\n' +
      // docViolations calls it: the versions in use, declared once in domain/.
      `  var schemaVersions = ${schemaVersions};\n` +
      `  var violations = (${docViolations})(newDoc, oldDoc, userCtx);\n` +
      '  if (violations.length) throw({ forbidden: violations[0] });\n' +
      '}',
    views: {
      conflicts: { map: couchFunctionSource(join(__dirname, 'views.ts'), 'conflictsMap'), reduce: '_count' },
    },
  };
}
