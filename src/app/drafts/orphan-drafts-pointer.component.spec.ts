import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { InspectionStoreService } from '../data/inspection-store.service';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { DraftStore } from './draft-store.service';
import { OrphanDraftsPointerComponent } from './orphan-drafts-pointer.component';
import { OrphanDraftsComponent } from './orphan-drafts.component';

describe('OrphanDraftsPointerComponent', () => {
  let db: Database;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions()),
        provideRouter([
          { path: 'inspections', component: OrphanDraftsPointerComponent },
          { path: 'storage', component: OrphanDraftsComponent },
        ]),
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    harness = await RouterTestingHarness.create();
  });

  afterEach(async () => {
    harness.fixture.destroy();
    await TestBed.inject(LocalDbService).destroy();
  });

  const pointer = () => harness.routeNativeElement?.querySelector<HTMLAnchorElement>('[data-testid="orphan-drafts-pointer"]') ?? null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await harness.fixture.whenStable();
      harness.detectChanges();
      return condition();
    }, what);
  }

  /** A defect typed on the new-defect form of an inspection, not saved. */
  async function typedOn(inspectionId: string, title: string): Promise<void> {
    await TestBed.inject(DraftStore).put(`new-defect:${inspectionId}`, {
      values: { title },
      inspectionId,
      savedAt: '2026-03-02T10:42:00.000Z',
    });
  }

  async function inspection(title: string): Promise<string> {
    return (await TestBed.inject(InspectionStoreService).create({ title, site: 'Depot 4', scheduledFor: '2026-03-02' }))._id;
  }

  it('leads from the list to the drafts of records no longer on this device, and goes once they are discarded', async () => {
    const gone = await inspection('Roof');
    const alsoGone = await inspection('Cellar');
    await typedOn(gone, 'Cracked tile');
    await typedOn(alsoGone, 'Damp wall');
    await typedOn(await inspection('Stairs'), 'Loose rail');
    // Deleted on another tablet, the deletions pulled.
    await db.remove(await db.get(gone));
    await db.remove(await db.get(alsoGone));

    await harness.navigateByUrl('/inspections');
    await until(() => !!pointer(), 'the pointer');
    expect(pointer()!.textContent).toContain('2 unsaved edits of records no longer on this device');
    expect(pointer()!.getAttribute('href')).toBe('/storage#orphan-drafts');

    await TestBed.inject(DraftStore).discard(`new-defect:${gone}`);
    await until(() => pointer()?.textContent?.includes('1 unsaved edit of a record') ?? false, 'one left');
    await TestBed.inject(DraftStore).discard(`new-defect:${alsoGone}`);
    await until(() => !pointer(), 'the pointer gone');
  });

  it('brings the drafts into view when followed to the Storage page', async () => {
    const gone = await inspection('Roof');
    await typedOn(gone, 'Cracked tile');
    await db.remove(await db.get(gone));
    const scrolled = spyOn(HTMLElement.prototype, 'scrollIntoView');

    await harness.navigateByUrl('/storage#orphan-drafts');
    await until(() => scrolled.calls.count() > 0, 'the section scrolled into view');
    expect((scrolled.calls.mostRecent().object as HTMLElement).dataset['testid']).toBe('orphan-drafts');
  });
});
