import { READ_ONLY_DDOC_ID, type DesignDoc } from '../design-docs';
import { couchFunctionSource } from './couch-function';

/** `validate_doc_update` of a database only replication fills: it runs as server admin. */
export function refuseNonAdminWrites(_newDoc: unknown, _oldDoc: unknown, userCtx: { roles: string[] }): void {
  if (userCtx.roles.indexOf('_admin') === -1) throw { forbidden: 'This database is read-only.' };
}

/** The design doc of a read-only database (a partner's copy of the hub), compiled at build time (build.ts). */
export function readOnlyDesignDoc(): DesignDoc {
  return {
    _id: READ_ONLY_DDOC_ID,
    language: 'javascript',
    validate_doc_update: couchFunctionSource(__filename, 'refuseNonAdminWrites'),
  };
}
