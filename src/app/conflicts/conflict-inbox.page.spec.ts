import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Database } from '../core/pouchdb';
import { deletionOf, editOf, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { waitFor } from '../testing/test-support';
import { AutoMergeSettingsService } from './auto-merge-settings.service';
import { ConflictInboxPage } from './conflict-inbox.page';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';

describe('ConflictInboxPage', () => {
  let db: Database;
  let fixture: ComponentFixture<ConflictInboxPage>;

  beforeEach(async () => {
    localStorage.removeItem('fieldbook.autoMerge');
    db = await openTrackedDb([provideRouter([])]);
    fixture = TestBed.createComponent(ConflictInboxPage);
  });

  afterEach(async () => {
    fixture.destroy();
    await endSyncTracking(db);
    localStorage.removeItem('fieldbook.autoMerge');
  });

  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[];

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  it('lists conflicted documents as they appear and drops them once resolved', async () => {
    await until(() => all('conflicts-empty').length === 1, 'the empty inbox');
    const root = rootInspection();
    await storeRevisions(db, [root, editOf(root, 'bbb', { title: 'Ours', updatedBy: 'ana' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    const deleted = rootInspection('ana', { title: 'Gone here' });
    await storeRevisions(db, [deleted, editOf(deleted, 'aaa', { site: 'Edited there' }), deletionOf(deleted, 'zzz')]);

    // Edited on two tablets and deleted on a third: CouchDB's `_conflicts` names one other version.
    const three = rootInspection('ana', { title: 'Three ways' });
    await storeRevisions(db, [three, editOf(three, 'bbb', { site: 'B' }), editOf(three, 'aaa', { site: 'A' }), deletionOf(three, 'zzz')]);

    await until(() => all('conflict-row').length === 3, 'three rows');
    const rows = all('conflict-row').map((row) => row.textContent ?? '');
    expect(rows.find((text) => text.includes('Ours'))).toContain('2 versions');
    expect(rows.find((text) => text.includes('Gone here'))).toContain('Deleted in one version');
    expect(rows.find((text) => text.includes('Three ways'))).toContain('3 versions, 1 deleted');
    expect(all('conflict-row')[0].getAttribute('href')).toMatch(/^\/conflicts\/inspection:/);

    await db.bulkDocs([{ _id: root._id, _rev: '2-aaa', _deleted: true, mergedInto: '2-bbb' }]);
    await until(() => all('conflict-row').length === 2, 'two rows left');
  });

  it('turns auto-merge off and on per document type', async () => {
    await until(() => all('auto-merge-toggle-inspection').length === 1, 'the settings');
    const inspectionSwitch = all('auto-merge-toggle-inspection')[0].querySelector('button')!;
    expect(inspectionSwitch.getAttribute('aria-checked')).toBe('true');
    inspectionSwitch.click();
    await until(() => inspectionSwitch.getAttribute('aria-checked') === 'false', 'the switch off');
    const settings = TestBed.inject(AutoMergeSettingsService);
    expect(settings.enabled('inspection')).toBeFalse();
    expect(settings.enabled('defect')).toBeTrue();
  });
});
