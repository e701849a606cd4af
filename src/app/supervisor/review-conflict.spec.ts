import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router, provideRouter } from '@angular/router';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { AuditEntry, Inspection } from '../../../domain/doc-types';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { userDbName } from '../../../domain/user-db-name';
import { checklistItem, editOf, rootInspection, storeRevisions } from '../../../test/fixtures/documents';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { Session } from '../core/session.model';
import { fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { DirectoryService } from './directory.service';
import { ReviewPage } from './review.page';

const SAM: Session = { name: 'sam', roles: ['supervisor'], db: userDbName('sam'), hub: 'inspections' };

/**
 * A hub record holding two versions: ana submitted it offline (`2-bbb`, the winner) while sam
 * reassigned it to bob, moving its date (`2-aaa`). Both changed the date: the hub's automatic
 * merge (proxy/hub-conflict-merge.ts) leaves it for a person.
 */
function racedInspection(): { root: LeafDoc; submitted: LeafDoc; reassigned: LeafDoc } {
  const root = rootInspection('ana', { assignedTo: 'ana', scheduledFor: '2026-03-09' });
  const submitted = editOf(root, 'bbb', {
    status: 'submitted',
    scheduledFor: '2026-03-10',
    checklist: [checklistItem('c1', 'pass', 'Valves'), checklistItem('c2', 'fail', 'Gauges')],
    updatedAt: '2026-03-01T09:00:00.000Z',
    deviceId: 'tablet-ana',
  });
  const reassigned = editOf(root, 'aaa', {
    assignedTo: 'bob',
    unassignedFrom: 'ana',
    scheduledFor: '2026-03-12',
    updatedBy: 'sam',
    updatedAt: '2026-03-01T08:30:00.000Z',
    deviceId: 'desk-sam',
  });
  return { root, submitted, reassigned };
}

describe('ReviewPage: a hub record changed in two places', () => {
  let hubDb: Database;
  let fixture: ComponentFixture<ReviewPage>;
  let raced: ReturnType<typeof racedInspection>;

  beforeEach(async () => {
    // A local stand-in for the server's hub, with the same Mango indexes.
    hubDb = new PouchDB<object>(`${uniqueDbPrefix()}hub`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await hubDb.createIndex({ index: { fields, name, ddoc } });
    raced = racedInspection();
    await storeRevisions(hubDb, [raced.root, raced.submitted, raced.reassigned]);
    const directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana', 'bob'], partners: ['acme'] });
    TestBed.configureTestingModule({
      imports: [ReviewPage],
      providers: [
        ...provideTestData(fakeSessions(SAM)),
        provideRouter([]),
        { provide: REMOTE_DB_FACTORY, useValue: () => hubDb },
        { provide: DirectoryService, useValue: directory },
      ],
    });
    fixture = TestBed.createComponent(ReviewPage);
    fixture.componentRef.setInput('id', raced.root._id);
    await until(() => !!el('review-heading'), 'the inspection');
  });

  afterEach(async () => {
    TestBed.inject(MatSnackBar).dismiss();
    fixture?.destroy();
    await hubDb.destroy();
  });

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement | null;
  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`)) as HTMLElement[];
  const field = (path: string) => fixture.nativeElement.querySelector(`[data-testid=conflict-field][data-path="${path}"]`) as HTMLElement;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => (await fixture.whenStable(), condition()), what);
  }

  async function liveLeaves(): Promise<Inspection[]> {
    const rows = (await hubDb.get(raced.root._id, { open_revs: 'all' })) as { ok?: Inspection & { _deleted?: boolean } }[];
    return rows.flatMap((row) => (row.ok && !row.ok._deleted ? [row.ok] : []));
  }

  it('says so, shows the versions side by side, and offers no decision or reassignment while they stand', async () => {
    await until(() => !!el('review-conflict'), 'the conflict banner');
    expect(el('review-conflict')!.textContent).toContain('changed in two places');
    expect(all('conflict-version').map((version) => version.getAttribute('data-rev'))).toEqual(['2-bbb', '2-aaa']);
    expect(field('scheduledFor').getAttribute('data-status')).toBe('conflict');
    // What only one side changed is merged: the reassignment and the submission both stay.
    expect(field('assignedTo').getAttribute('data-status')).toBe('merged');
    expect(field('status').getAttribute('data-status')).toBe('merged');
    expect(el('approve')).toBeNull();
    expect(el('reject')).toBeNull();
    expect(el('reassign')).toBeNull();
    expect(el('review-conflict-blocks')!.textContent).toContain('Settle the conflict first');
  });

  it('writes the result as the tablets do: one live version with the values chosen, the other ended, an audit entry', async () => {
    await until(() => !!el('review-conflict'), 'the conflict banner');
    expect((el('resolve-conflict') as HTMLButtonElement).disabled).toBeTrue();
    (field('scheduledFor').querySelector('[data-testid="choose-2-aaa"]') as HTMLElement).click();
    await until(() => !(el('resolve-conflict') as HTMLButtonElement).disabled, 'the choice made');
    el('resolve-conflict')!.click();
    await until(() => !el('review-conflict') && !!el('approve'), 'the conflict settled');

    const [live] = await liveLeaves();
    expect(await liveLeaves()).toEqual([jasmine.anything()]);
    expect(live).toEqual(
      jasmine.objectContaining({
        _rev: jasmine.stringMatching(/^3-/),
        status: 'submitted',
        assignedTo: 'bob',
        unassignedFrom: 'ana',
        scheduledFor: '2026-03-12',
        createdBy: 'ana',
        updatedBy: 'sam',
        mergedFrom: ['2-bbb', '2-aaa'],
        mergedBy: 'sam',
      }),
    );
    expect(live.checklist.map((item) => item.result)).toEqual(['pass', 'fail']);
    const entries = (await hubDb.allDocs<AuditEntry>({ include_docs: true, startkey: 'audit:', endkey: 'audit:\uffff' })).rows.map(
      (row) => row.doc!,
    );
    expect(entries).toEqual([jasmine.objectContaining({ docId: raced.root._id, merge: true, user: 'sam', baseRev: '2-bbb' })]);
    expect(el('review-inspector')!.textContent).toContain('bob');
  });

  it('keeps one version whole', async () => {
    await until(() => !!el('review-conflict'), 'the conflict banner');
    (fixture.nativeElement.querySelector('[data-testid=keep-version][data-rev="2-aaa"]') as HTMLElement).click();
    await until(() => !el('review-conflict'), 'the conflict settled');
    expect(await liveLeaves()).toEqual([
      jasmine.objectContaining({ status: 'draft', assignedTo: 'bob', scheduledFor: '2026-03-12', mergedFrom: ['2-bbb', '2-aaa'] }),
    ]);
  });

  it('keeping a deletion deletes the inspection and goes back to the review queue', async () => {
    const navigated = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    await storeRevisions(hubDb, [editOf(raced.root, 'ccc', { _deleted: true })]);
    await until(() => all('conflict-version').length === 3, 'the deletion among the versions');
    (fixture.nativeElement.querySelector('[data-testid=keep-version][data-rev="2-ccc"]') as HTMLElement).click();
    await waitFor(() => navigated.calls.count() > 0, 'back to the queue');

    expect(navigated).toHaveBeenCalledOnceWith('/supervisor');
    expect(await liveLeaves()).toEqual([]);
    expect(el('review-load-error')).toBeNull();
  });

  it('says when another version arrived meanwhile, and shows the versions as they are now', async () => {
    await until(() => !!el('review-conflict'), 'the conflict banner');
    (field('scheduledFor').querySelector('[data-testid="choose-2-aaa"]') as HTMLElement).click();
    await until(() => !(el('resolve-conflict') as HTMLButtonElement).disabled, 'the choice made');
    // Ana's tablet changes its version again just before the write.
    const bulkDocs = hubDb.bulkDocs.bind(hubDb);
    spyOn(hubDb, 'bulkDocs').and.callFake((async (docs: unknown, options?: unknown) => {
      if (!options) await storeRevisions(hubDb, [editOf(raced.submitted, 'ccc', { notes: 'Gauge replaced' })]);
      return bulkDocs(docs as never, options as never);
    }) as never);
    el('resolve-conflict')!.click();
    await until(() => !!el('review-error'), 'the message');
    expect(el('review-error')!.textContent).toContain('changed meanwhile');
    await until(() => all('conflict-version').some((version) => version.getAttribute('data-rev') === '3-ccc'), 'the new version');
    expect((await liveLeaves()).map((leaf) => leaf._rev).sort()).toEqual(['2-aaa', '3-ccc']);
  });

  it('says when the result was saved while the other version changed, and shows the versions as they are now', async () => {
    await until(() => !!el('review-conflict'), 'the conflict banner');
    (field('scheduledFor').querySelector('[data-testid="choose-2-aaa"]') as HTMLElement).click();
    await until(() => !(el('resolve-conflict') as HTMLButtonElement).disabled, 'the choice made');
    // The result is written; sam's reassigning version changes again before it is ended.
    const bulkDocs = hubDb.bulkDocs.bind(hubDb);
    let writes = 0;
    spyOn(hubDb, 'bulkDocs').and.callFake((async (docs: unknown, options?: unknown) => {
      if (!options && ++writes === 2) await storeRevisions(hubDb, [editOf(raced.reassigned, 'ddd', { notes: 'Key at the gate' })]);
      return bulkDocs(docs as never, options as never);
    }) as never);
    el('resolve-conflict')!.click();
    await until(() => !!el('review-error'), 'the message');
    expect(el('review-error')!.textContent).toContain('another version arrived');
    await until(() => all('conflict-version').length === 2 && !!field('notes'), 'the versions now');
    expect((await liveLeaves()).map((leaf) => leaf._rev!.split('-')[0]).sort()).toEqual(['3', '3']);
  });
});
