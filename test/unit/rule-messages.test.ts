import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import '@angular/localize/init';
import { loadTranslations } from '@angular/localize';
import { docViolations } from '../../domain/doc-rules';
import { checklistItem, defect, inspection } from '../fixtures/documents';
import { LOCALE_DIR, readCatalog } from '../../scripts/i18n-catalog';

const alice = { name: 'alice', roles: ['inspector'] };
const now = '2026-11-23T10:00:00.000Z';
const INSPECTION_ID = 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e';
const stamp = { createdAt: now, updatedAt: now, deviceId: 'device-1' };
const anInspection = (overrides: Record<string, unknown> = {}) => inspection('alice', { _id: INSPECTION_ID, ...stamp, ...overrides });
const aDefect = (overrides: Record<string, unknown> = {}) =>
  defect('alice', INSPECTION_ID, { _id: 'defect:7c9e6679-7425-40de-944b-e07fc1f90ae7', ...stamp, ...overrides });

/** What an inspector can meet through the app: each refusal the rules give for an honest mistake. */
function violationsAnInspectorMeets(): string[] {
  const cases: [Record<string, unknown>, Record<string, unknown> | null][] = [
    [anInspection({ title: ' ', site: '', scheduledFor: '2026-13-45' }), null],
    [anInspection({ title: 'x'.repeat(201) }), null],
    [anInspection({ checklist: Array.from({ length: 201 }, (_, i) => checklistItem(`i${i}`)) }), null],
    [anInspection({ status: 'submitted', checklist: [checklistItem('a')] }), anInspection()],
    [anInspection({ notes: 'more' }), anInspection({ status: 'submitted' })],
    [anInspection({ notes: 'more' }), anInspection({ status: 'approved' })],
    [anInspection({ status: 'approved' }), anInspection()],
    [anInspection({ partners: ['acme'] }), anInspection()],
    [anInspection({ assignedTo: 'bob' }), anInspection()],
    // Saved in the moment before the tablet lets a reassigned inspection go.
    [anInspection({ title: 'Mine' }), anInspection({ assignedTo: 'bob', unassignedFrom: 'alice' })],
    [aDefect({ severity: 7 }), null],
    [aDefect({ title: 'Leak 2' }), aDefect({ inspectionStatus: 'submitted' })],
    [aDefect({ title: 'Leak 2' }), aDefect({ inspectionStatus: 'approved' })],
    [{ _id: INSPECTION_ID, _deleted: true, updatedBy: 'alice', updatedAt: now, deviceId: 'device-1' }, anInspection({ createdBy: 'bob' })],
    [aDefect({ _attachments: { 'a.gif': { content_type: 'image/gif', data: '' } } }), null],
    // A tablet on a newer release than its server, and text with half an emoji.
    [anInspection({ schema: 99 }), null],
    [anInspection({ schema: 0 }), null],
    [anInspection({ notes: 'Rust 🔥'.slice(0, -1) }), null],
  ];
  return cases.flatMap(([doc, old]) => docViolations(doc as never, old as never, alice));
}

// The shared rules speak English (they also are CouchDB's refusal reasons); the app shows
// each refusal an inspector can meet in their language (src/app/i18n/rule-messages.ts).
describe('i18n: the shared rules’ messages', () => {
  it('are all translated where the app shows them', async () => {
    loadTranslations(readCatalog(join(LOCALE_DIR, 'messages.fr.json')).translations);
    // Imported once the catalog is loaded: the module translates as it loads, like the app.
    const { ruleMessage, ruleViolation } = await import('../../src/app/i18n/rule-messages');
    const violations = violationsAnInspectorMeets();
    assert.ok(violations.length >= 16, `the cases are refused: ${violations.join('; ')}`);
    // The message after the field: the field is named in the app's words whatever its message.
    const messageOf = (violation: string) => violation.slice(violation.indexOf(': ') + 2);
    const untranslated = violations.filter((violation) => ruleMessage(messageOf(violation)) === messageOf(violation));
    assert.deepEqual(untranslated, [], 'add these messages to src/app/i18n/rule-messages.ts');
    assert.equal(ruleViolation('title: must be at most 200 characters'), 'Titre : doit comporter au plus 200 caractères');
  });

  it('name the field refused as the app labels it, not by its name in the document', async () => {
    loadTranslations(readCatalog(join(LOCALE_DIR, 'messages.fr.json')).translations);
    const { ruleViolation } = await import('../../src/app/i18n/rule-messages');
    assert.equal(ruleViolation('scheduledFor: must be a date (YYYY-MM-DD)'), 'Prévue le : doit être une date valide');
    assert.equal(
      ruleViolation('checklist[0].result: must be answered (or marked N/A) before submitting'),
      'Liste de contrôle 1 · Résultat : doit avoir une réponse (ou être marqué S.O.) avant la soumission',
    );
  });
});
