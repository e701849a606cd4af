import { schemaVersions } from './schema-versions';

/**
 * The single source of Fieldbook's document rules.
 *
 * `docViolations` runs in the browser (form validation before anything is saved) and,
 * serialised by the bootstrap into `validate_doc_update`, inside CouchDB. It must
 * therefore be self-contained: no imports, no closures over module scope, and nothing
 * the bootstrap's ES5 transpile cannot express. The one exception is `schemaVersions`
 * (domain/schema-versions.ts, equally self-contained), which the design document declares
 * next to it, so the versions in use are declared once.
 *
 * Each violation reads `<field>: <what is wrong>` so the UI can put it next to the field
 * and CouchDB can return it as the `forbidden` reason.
 *
 * The review workflow, as the rules hold it (server admins, among them the replication jobs
 * that copy documents between databases, are exempt from it):
 *
 *   draft or rejected → submitted (the inspector, every checklist item answered)
 *   submitted → approved or rejected (a supervisor or admin)
 *   approved → rejected (a supervisor reopens it)
 *
 * - Submitting (any write that makes an inspection `submitted`) needs every checklist item
 *   answered: pass, fail, or `na` (not applicable).
 * - A submitted or approved inspection is read-only for inspectors, deletion included, until a
 *   supervisor rejects it; only supervisors (and admins) approve, reject or reopen.
 * - Defects: `validate_doc_update` sees one document and cannot read the defect's inspection,
 *   so each defect carries a copy of its inspection's status, `inspectionStatus`, written with
 *   it: by the inspector's app on submission (the inspection and its defects in one local
 *   `_bulk_docs`) and by the supervisor's review in the hub (the decision and its defects
 *   together). The rules treat that copy like the inspection's own status: a defect whose stored
 *   copy is `submitted` or `approved` is read-only for inspectors, and an inspector may not set
 *   it to `approved` or `rejected`. A missing copy means an open inspection (draft or rejected).
 *   An inspector can still create a new defect under a submitted inspection with a modified
 *   client (no rule can see the inspection), but it has no `partners`, which only supervisors
 *   set, so it reaches no partner unreviewed. A defect stays with the inspection it was written
 *   for (`inspectionId` cannot be changed).
 * - An inspection a supervisor reassigned away from an inspector (`unassignedFrom`, and
 *   `assignedTo` someone else) is no longer theirs to change or delete.
 * - Audit entries (`audit:<record id>:…`, domain/audit-entry.ts) are append-only: a member
 *   creates only their own, and nobody, administrators included, changes or deletes one.
 * - Full-size photos (`photo:<defect id>:<name>`, domain/photo-doc.ts): a member creates only
 *   their own, with one image attachment; nobody but an administrator changes one, except a
 *   supervisor sharing it with partners (`partners`, as on its defect); the owner (or a
 *   supervisor) deletes one like a record.
 * - Records carry their shape's version, `schema` (missing: 1): any version from the oldest
 *   still in use to the current one is accepted, so tablets on the previous release keep
 *   syncing; a newer one is refused, as these rules cannot know what it requires.
 */
export function docViolations(
  newDoc: Record<string, any>,
  oldDoc: Record<string, any> | null,
  userCtx: { name: string | null; roles: string[] },
): string[] {
  var violations: string[] = [];
  var roles = userCtx.roles || [];
  var isAdmin = roles.indexOf('_admin') !== -1;
  var isSupervisor = isAdmin || roles.indexOf('supervisor') !== -1;
  var ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  var DATE = /^\d{4}-\d{2}-\d{2}$/;
  var UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
  var IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
  var INSPECTION_STATUSES = ['draft', 'submitted', 'approved', 'rejected'];

  function add(field: string, message: string) {
    violations.push(field + ': ' + message);
  }
  function isString(value: unknown) {
    return typeof value === 'string';
  }
  function requireString(field: string, min: number, max: number) {
    var value = newDoc[field];
    if (value === undefined || value === null || value === '') add(field, 'is required');
    else if (!isString(value)) add(field, 'must be a string');
    else if (value.trim().length < min) add(field, 'is required');
    else if (value.length > max) add(field, 'must be at most ' + max + ' characters');
  }
  // Bounds (`max` here, and on checklists and images) hold members; server admins, among them the
  // jobs that copy documents between databases, copy what is there.
  function optionalString(field: string, max: number) {
    var value = newDoc[field];
    if (value === undefined) return;
    if (!isString(value)) add(field, 'must be a string');
    else if (!isAdmin && value.length > max) add(field, 'must be at most ' + max + ' characters');
  }
  // Each field of `newDoc` not in `fields` is refused with `message`.
  function onlyFields(fields: string[], message: string) {
    for (var field in newDoc) if (fields.indexOf(field) === -1) add(field, message);
  }
  function requireEnum(field: string, allowed: unknown[]) {
    var value = newDoc[field];
    if (value === undefined || value === null || value === '') add(field, 'is required');
    else if (allowed.indexOf(value) === -1) add(field, 'must be one of ' + allowed.join(', '));
  }
  function requireMatch(field: string, pattern: RegExp, what: string) {
    var value = newDoc[field];
    if (value === undefined || value === null || value === '') add(field, 'is required');
    else if (!isString(value) || !pattern.test(value)) add(field, 'must be ' + what);
  }
  // `partners` shares an approved inspection, and the defects a supervisor marks along with
  // it, with those partners: their databases are replicated from the hub by this field.
  function checkPartners(stored: Record<string, any> | null) {
    var partners = newDoc.partners;
    if (partners !== undefined) {
      if (!Array.isArray(partners)) add('partners', 'must be a list of partner names');
      else {
        for (var p = 0; p < partners.length; p++) {
          if (!isString(partners[p]) || !partners[p]) {
            add('partners', 'must be a list of partner names');
            break;
          }
        }
      }
    }
    if (!isSupervisor && JSON.stringify(partners) !== JSON.stringify(stored ? stored.partners : undefined)) {
      add('partners', 'only a supervisor may share with partners');
    }
  }
  function isValidDate(value: string) {
    if (isNaN(new Date(value.length === 10 ? value + 'T00:00:00Z' : value).getTime())) return false;
    // Checked by hand: V8 and QuickJS roll 2024-02-30 over into March, SpiderMonkey refuses it.
    var year = +value.slice(0, 4);
    var month = +value.slice(5, 7);
    var day = +value.slice(8, 10);
    return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  }
  // Half of a character (a lone UTF-16 surrogate) is not Unicode: CouchDB refuses the whole
  // request that carries one, so a tablet that stored it could never push again.
  var LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/;
  function hasBrokenText(value: unknown): boolean {
    if (typeof value === 'string') return LONE_SURROGATE.test(value);
    if (!value || typeof value !== 'object') return false;
    for (var key in value as Record<string, unknown>) {
      if (hasBrokenText(key) || hasBrokenText((value as Record<string, unknown>)[key])) return true;
    }
    return false;
  }
  for (var topField in newDoc) {
    if (topField !== '_attachments' && hasBrokenText(newDoc[topField])) add(topField, 'must be valid Unicode text');
  }
  // Why a stored inspection status (the inspection's own, or a defect's copy of it) makes the
  // document read-only for an inspector; '' when it does not.
  // An inspection a supervisor reassigned away from this user: the revision that did it stays in
  // their database (their tablet lets the inspection go on reading it), no longer theirs to change.
  // An offline edit made before is judged against the revision it was made on, and goes through.
  function reassignedAway(doc: Record<string, any>) {
    return doc.type === 'inspection' && doc.unassignedFrom === userCtx.name && doc.assignedTo !== userCtx.name;
  }

  function lockedBecause(type: string, status: unknown) {
    if (type === 'inspection') {
      if (status === 'approved') return 'an approved inspection can only be changed by a supervisor';
      if (status === 'submitted') return 'a submitted inspection is read-only until a supervisor rejects it';
    } else if (type === 'defect') {
      if (status === 'approved') return 'the defects of an approved inspection can only be changed by a supervisor';
      if (status === 'submitted') return 'the defects of a submitted inspection are read-only until a supervisor rejects it';
    }
    return '';
  }
  function statusField(type: string) {
    return type === 'defect' ? 'inspectionStatus' : 'status';
  }
  function storedStatus(doc: Record<string, any>) {
    return doc.type === 'defect' ? doc.inspectionStatus : doc.status;
  }
  // One save of a record (domain/audit-entry.ts): small, and naming its writer.
  var AUDIT_FIELDS = [
    '_id',
    '_rev',
    '_revisions',
    'type',
    'docId',
    'docType',
    'action',
    'merge',
    'baseRev',
    'revPos',
    'user',
    'at',
    'deviceId',
    'deviceName',
    'changes',
    'omitted',
  ];
  function checkAuditEntry() {
    var RECORD_ID = '(inspection|defect):' + UUID;
    if (newDoc.type !== 'audit') add('type', 'must be audit');
    requireMatch('docId', new RegExp('^' + RECORD_ID + '$'), 'the id of an inspection or a defect');
    if (!isString(newDoc.docId) || newDoc._id.indexOf('audit:' + newDoc.docId + ':') !== 0) {
      add('_id', 'must be "audit:<docId>:<time>:<device>:<random>"');
    } else if (newDoc._id.length > 500) add('_id', 'must be at most 500 characters');
    requireEnum('docType', ['inspection', 'defect']);
    if (isString(newDoc.docId) && isString(newDoc.docType) && newDoc.docId.indexOf(newDoc.docType + ':') !== 0) {
      add('docType', 'must be the type of docId');
    }
    requireEnum('action', ['create', 'update', 'delete']);
    if (newDoc.merge !== undefined && newDoc.merge !== true) add('merge', 'must be true or absent');
    if (newDoc.baseRev !== undefined) requireString('baseRev', 1, 200);
    var revPos = newDoc.revPos;
    if (typeof revPos !== 'number' || revPos % 1 !== 0 || revPos < 1) add('revPos', 'must be a whole number from 1');
    requireString('user', 1, 200);
    if (!isAdmin && newDoc.user !== userCtx.name) add('user', 'must be your own user name');
    requireMatch('at', ISO_DATE_TIME, 'an ISO 8601 date-time');
    requireString('deviceId', 1, 200);
    if (newDoc.deviceName !== undefined) requireString('deviceName', 1, 200);
    var changes = newDoc.changes;
    if (!Array.isArray(changes) || changes.length > 100) add('changes', 'must be a list of at most 100 changes');
    else {
      for (var c = 0; c < changes.length; c++) {
        var entry = changes[c] || {};
        var small = true;
        var values = [entry.path, entry.item, entry.before, entry.after];
        for (var v = 0; v < values.length; v++) {
          if (typeof values[v] === 'object' && values[v] !== null) small = false;
          else if (isString(values[v]) && values[v].length > 200) small = false;
        }
        if (!isString(entry.path) || !entry.path || !small) {
          add('changes[' + c + ']', 'must be {path, item?, before?, after?} with short values');
          break;
        }
      }
    }
    if (newDoc.omitted !== undefined && (typeof newDoc.omitted !== 'number' || newDoc.omitted % 1 !== 0 || newDoc.omitted < 1)) {
      add('omitted', 'must be a whole number from 1');
    }
    if (newDoc._attachments) add('_attachments', 'audit entries carry no attachments');
    else if (!isAdmin) onlyFields(AUDIT_FIELDS, 'is not a field of an audit entry');
  }
  // Whether `newDoc` is `stored` with other `partners` (its image kept as a stub).
  function onlyPartnersChanged(stored: Record<string, any>) {
    var fields: Record<string, boolean> = {};
    var key;
    for (key in newDoc) fields[key] = true;
    for (key in stored) fields[key] = true;
    for (key in fields) {
      if (key === '_rev' || key === '_revisions' || key === '_attachments' || key === 'partners') continue;
      if (JSON.stringify(newDoc[key]) !== JSON.stringify(stored[key])) return false;
    }
    var names = newDoc._attachments ? Object.keys(newDoc._attachments) : [];
    if (names.length !== 1 || names[0] !== 'full') return false;
    // The stored image: CouchDB shows a new inline one as a stub too (revpos 0, its own digest).
    var image = newDoc._attachments.full;
    var storedImage = stored._attachments && stored._attachments.full;
    return image.stub === true && !!storedImage && image.digest === storedImage.digest && image.content_type === storedImage.content_type;
  }
  // Images attached anew (one the stored version holds is not judged again): thumbnails are a
  // few dozen kB, full-size photos a few hundred (PHOTO_MAX_SIDE); these bounds are far above.
  var MAX_THUMBNAIL_BYTES = 1024 * 1024;
  var MAX_PHOTO_BYTES = 16 * 1024 * 1024;
  function checkImageSize(name: string, max: number) {
    if (isAdmin) return;
    var image = newDoc._attachments[name];
    var stored = oldDoc && !oldDoc._deleted && oldDoc._attachments && oldDoc._attachments[name];
    if (stored && image.stub === true && (!image.digest || image.digest === stored.digest)) return;
    // CouchDB shows the rules an attachment's length; PouchDB its data, base64 or a Blob.
    var bytes = typeof image.length === 'number' ? image.length : 0;
    if (isString(image.data)) bytes = Math.floor((image.data.length * 3) / 4);
    else if (image.data && typeof image.data.size === 'number') bytes = image.data.size;
    if (bytes > max) add('_attachments', name + ' must be at most ' + max / (1024 * 1024) + ' MB');
  }
  function checkPhoto() {
    var DEFECT_ID = 'defect:' + UUID;
    if (newDoc.type !== 'photo') add('type', 'must be photo');
    requireMatch('defectId', new RegExp('^' + DEFECT_ID + '$'), 'the id of a defect');
    if (
      !new RegExp('^photo:' + DEFECT_ID + ':[A-Za-z0-9._-]{1,100}$').test(newDoc._id) ||
      newDoc._id.indexOf('photo:' + newDoc.defectId + ':') !== 0
    ) {
      add('_id', 'must be "photo:<defectId>:<name>"');
    }
    requireString('createdBy', 1, 200);
    if (!isAdmin && newDoc.createdBy !== userCtx.name) add('createdBy', 'must be your own user name');
    requireMatch('createdAt', ISO_DATE_TIME, 'an ISO 8601 date-time');
    requireString('deviceId', 1, 200);
    var names = newDoc._attachments ? Object.keys(newDoc._attachments) : [];
    if (names.length !== 1 || names[0] !== 'full') add('_attachments', 'a photo carries one attachment, full');
    else if (IMAGE_TYPES.indexOf(newDoc._attachments.full.content_type) === -1)
      add('_attachments', 'full must be a JPEG, PNG or WebP image');
    else checkImageSize('full', MAX_PHOTO_BYTES);
  }
  // A deletion says who made it, when, where, and what it took; nothing else. A tombstone's body
  // replicates like any other: `partners` on one reached a partner's database, `assignedTo`
  // another inspector's, an attachment went along with it.
  var TOMBSTONE_FIELDS = [
    '_id',
    '_rev',
    '_revisions',
    '_deleted',
    'updatedBy',
    'updatedAt',
    'deviceId',
    'deviceName',
    'mergedInto',
    'deletedDefects',
  ];
  function checkTombstone() {
    onlyFields(TOMBSTONE_FIELDS, 'a deletion carries only who made it, when and where, and what it took');
    if (newDoc.updatedBy !== undefined && newDoc.updatedBy !== userCtx.name) add('updatedBy', 'must be your own user name');
    if (newDoc.updatedAt !== undefined) requireMatch('updatedAt', ISO_DATE_TIME, 'an ISO 8601 date-time');
    if (newDoc.deviceId !== undefined) requireString('deviceId', 1, 200);
    if (newDoc.deviceName !== undefined) requireString('deviceName', 1, 200);
    if (newDoc.mergedInto !== undefined) requireString('mergedInto', 1, 200);
    var took = newDoc.deletedDefects;
    if (took !== undefined) {
      var DEFECT = new RegExp('^defect:' + UUID + '$');
      var listed = Array.isArray(took);
      for (var d = 0; listed && d < took.length; d++) listed = isString(took[d]) && DEFECT.test(took[d]);
      if (!listed) add('deletedDefects', 'must be a list of defect ids');
    }
  }
  // Inspectors may not change a submitted or approved inspection or its defects, nor approve or reject.
  function checkWorkflow(oldStatus: unknown) {
    if (isSupervisor) return;
    var field = statusField(newDoc.type);
    var status = newDoc[field];
    var locked = lockedBecause(newDoc.type, oldStatus);
    if (locked) add(field, locked);
    else if ((status === 'approved' || status === 'rejected') && status !== oldStatus)
      add(field, 'only a supervisor may approve or reject');
  }

  if (newDoc._id.indexOf('_design/') === 0) {
    if (!isAdmin) add('_id', 'only administrators may change design documents');
    return violations;
  }

  // Audit entries are append-only: created once, by the user they name (an admin's replication
  // copies them along), then never changed or deleted, by anyone.
  if (newDoc._id.indexOf('audit:') === 0 || newDoc.type === 'audit') {
    if (newDoc._deleted) add('_id', 'audit entries cannot be deleted');
    else if (oldDoc) add('_id', 'audit entries cannot be changed');
    else checkAuditEntry();
    return violations;
  }

  if (newDoc._deleted) {
    if (!isAdmin) checkTombstone();
    if (oldDoc && !oldDoc._deleted && !isSupervisor) {
      var lockedOld = lockedBecause(oldDoc.type, storedStatus(oldDoc));
      // A conflict resolution's tombstone on a losing version (`mergedInto` names the version it
      // was merged into) ends that branch, not the record: whoever may edit the record may write
      // it, as the assignee of a supervisor's inspection resolving a conflict of it. The rules
      // cannot see the other branch, so this trusts the name as far as an edit is trusted. Only
      // records have branches to end: a photo is written once.
      var isRecord = oldDoc.type === 'inspection' || oldDoc.type === 'defect';
      var endsBranch = isRecord && isString(newDoc.mergedInto) && newDoc.mergedInto !== oldDoc._rev;
      if (reassignedAway(oldDoc)) add('assignedTo', 'this inspection was reassigned to another inspector');
      else if (!endsBranch && oldDoc.createdBy !== userCtx.name) add('createdBy', 'only the owner may delete this document');
      else if (lockedOld) add(statusField(oldDoc.type), lockedOld);
    }
    return violations;
  }

  // A defect's full-size photo (domain/photo-doc.ts): written once, by the user who took it,
  // then never changed (a copy on another device is the same revision); deleted like a record.
  // A supervisor's share with partners is the one change: `partners`, as on its defect, so the
  // partner job copies it along (a selector cannot join).
  if (newDoc._id.indexOf('photo:') === 0 || newDoc.type === 'photo') {
    var storedPhoto = oldDoc && !oldDoc._deleted ? oldDoc : null;
    if (!storedPhoto) checkPhoto();
    else if (!isAdmin && !onlyPartnersChanged(storedPhoto)) add('_id', 'photos cannot be changed');
    checkPartners(storedPhoto);
    return violations;
  }

  var type = newDoc.type;
  if (type !== 'inspection' && type !== 'defect') {
    add('type', 'must be inspection or defect');
    return violations;
  }
  if (!new RegExp('^' + type + ':' + UUID + '$').test(newDoc._id)) {
    add('_id', 'must be "' + type + ':<uuid>"');
  }
  if (oldDoc && !oldDoc._deleted && oldDoc.type !== type) add('type', 'cannot be changed');

  // The record's shape (domain/schema-versions.ts): one of the versions in use.
  var versions = schemaVersions()[type];
  var schema = newDoc.schema === undefined ? 1 : newDoc.schema;
  var inUse = versions.oldest + ' to ' + versions.current;
  if (typeof schema !== 'number' || schema % 1 !== 0 || schema < 1) add('schema', 'must be a whole number from 1');
  else if (schema > versions.current)
    add('schema', 'version ' + schema + ' is newer than these rules know (' + inUse + '): update the server first');
  else if (schema < versions.oldest) add('schema', 'version ' + schema + ' is no longer accepted (' + inUse + '): update the app');

  // Audit fields.
  requireString('createdBy', 1, 200);
  requireString('updatedBy', 1, 200);
  requireString('deviceId', 1, 200);
  // The name the user gave the device ("Tablet 3"), when they did.
  if (newDoc.deviceName !== undefined) requireString('deviceName', 1, 200);
  requireMatch('createdAt', ISO_DATE_TIME, 'an ISO 8601 date-time');
  requireMatch('updatedAt', ISO_DATE_TIME, 'an ISO 8601 date-time');
  if (isString(newDoc.createdAt) && ISO_DATE_TIME.test(newDoc.createdAt) && !isValidDate(newDoc.createdAt)) {
    add('createdAt', 'must be an ISO 8601 date-time');
  }
  if (isString(newDoc.updatedAt) && ISO_DATE_TIME.test(newDoc.updatedAt) && !isValidDate(newDoc.updatedAt)) {
    add('updatedAt', 'must be an ISO 8601 date-time');
  }
  var existing = oldDoc && !oldDoc._deleted ? oldDoc : null;
  if (!isAdmin) {
    if (!existing && newDoc.createdBy !== userCtx.name) add('createdBy', 'must be your own user name');
    if (newDoc.updatedBy !== userCtx.name) add('updatedBy', 'must be your own user name');
  }
  if (existing && newDoc.createdBy !== existing.createdBy) add('createdBy', 'cannot be changed');

  if (type === 'inspection') {
    requireString('title', 1, 200);
    requireString('site', 1, 200);
    requireEnum('status', INSPECTION_STATUSES);
    requireMatch('scheduledFor', DATE, 'a date (YYYY-MM-DD)');
    if (isString(newDoc.scheduledFor) && DATE.test(newDoc.scheduledFor) && !isValidDate(newDoc.scheduledFor)) {
      add('scheduledFor', 'must be a date (YYYY-MM-DD)');
    }
    // Required from schema 2; an older inspection may already carry one (written by a newer tablet).
    if (schema >= 2 || newDoc.priority !== undefined) requireEnum('priority', ['low', 'normal', 'high']);
    optionalString('notes', 10000);
    optionalString('assignedTo', 200);
    optionalString('reviewComment', 2000);
    optionalString('unassignedFrom', 200);
    // Assignments are replicated to the assignee's database: only supervisors may direct them.
    if (!isSupervisor && newDoc.assignedTo !== (existing ? existing.assignedTo : undefined)) {
      if (existing || newDoc.assignedTo !== userCtx.name) add('assignedTo', 'only a supervisor may assign inspections');
    }
    // So is who a reassignment took it from (that user's database receives it too).
    if (!isSupervisor && newDoc.unassignedFrom !== (existing ? existing.unassignedFrom : undefined)) {
      add('unassignedFrom', 'only a supervisor may reassign inspections');
    }
    var checklist = newDoc.checklist;
    var submitting = !isAdmin && newDoc.status === 'submitted' && (existing ? existing.status : undefined) !== 'submitted';
    if (!Array.isArray(checklist)) add('checklist', 'must be a list');
    else if (!isAdmin && checklist.length > 200) add('checklist', 'must have at most 200 items');
    else {
      // Keyed apart from Object's own names (`constructor`, `__proto__`).
      var seen: Record<string, boolean> = {};
      for (var i = 0; i < checklist.length; i++) {
        var item = checklist[i];
        var where = 'checklist[' + i + ']';
        if (!item || typeof item !== 'object') {
          add(where, 'must be an object');
          continue;
        }
        if (!isString(item.id) || !item.id) add(where + '.id', 'is required');
        else if (seen['#' + item.id]) add(where + '.id', 'must be unique');
        else seen['#' + item.id] = true;
        if (!isString(item.label) || !item.label.trim()) add(where + '.label', 'is required');
        else if (item.label.length > 200) add(where + '.label', 'must be at most 200 characters');
        if (['pass', 'fail', 'na', null].indexOf(item.result) === -1) {
          add(where + '.result', 'must be one of pass, fail, na or empty');
        }
        if (item.note !== undefined && !isString(item.note)) add(where + '.note', 'must be a string');
        else if (!isAdmin && isString(item.note) && item.note.length > 2000) add(where + '.note', 'must be at most 2000 characters');
        if (submitting && item.result === null) add(where + '.result', 'must be answered (or marked N/A) before submitting');
      }
    }
    if (existing && !isSupervisor && reassignedAway(existing)) add('assignedTo', 'this inspection was reassigned to another inspector');
    checkWorkflow(existing ? existing.status : undefined);
  } else {
    requireMatch('inspectionId', new RegExp('^inspection:' + UUID + '$'), 'the id of an inspection');
    // Its inspection's owner receives it (proxy/record-handover.ts): pointed at another
    // inspection, it would carry every version of it, others' too, to that one's owner.
    if (existing && !isAdmin && newDoc.inspectionId !== existing.inspectionId) add('inspectionId', 'cannot be changed');
    requireString('title', 1, 200);
    optionalString('description', 10000);
    optionalString('location', 500);
    var severity = newDoc.severity;
    if (severity === undefined || severity === null) add('severity', 'is required');
    else if (typeof severity !== 'number' || severity % 1 !== 0 || severity < 1 || severity > 5) {
      add('severity', 'must be a whole number from 1 to 5');
    }
    requireEnum('status', ['open', 'fixed', 'wont_fix']);
    if (newDoc.inspectionStatus !== undefined && INSPECTION_STATUSES.indexOf(newDoc.inspectionStatus) === -1) {
      add('inspectionStatus', 'must be one of ' + INSPECTION_STATUSES.join(', '));
    }
    checkWorkflow(existing ? existing.inspectionStatus : undefined);
  }
  checkPartners(existing);

  var attachments = newDoc._attachments;
  if (attachments) {
    var count = 0;
    for (var name in attachments) {
      count++;
      if (IMAGE_TYPES.indexOf(attachments[name].content_type) === -1) {
        add('_attachments', name + ' must be a JPEG, PNG or WebP image');
      }
      // Full-size photos went inline on defects before they had documents of their own.
      checkImageSize(name, name.indexOf('thumb-') === 0 ? MAX_THUMBNAIL_BYTES : MAX_PHOTO_BYTES);
    }
    if (!isAdmin && count > 100) add('_attachments', 'at most 100 images per record');
  }
  return violations;
}

/**
 * Why `userCtx` may not change a document whose (stored) inspection status is `status` — the
 * inspection's own, or a defect's copy of it — or null: the app shows its read-only state from
 * this. docViolations holds the rule itself; doc-rules.test.ts checks that the two agree.
 */
export function readOnlyBecause(status: string | null | undefined, userCtx: { roles: readonly string[] }): 'submitted' | 'approved' | null {
  const roles = userCtx.roles ?? [];
  if (roles.includes('_admin') || roles.includes('supervisor')) return null;
  return status === 'submitted' || status === 'approved' ? status : null;
}
