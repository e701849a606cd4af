import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { deletionOf, editOf, fakeServer, resolvedOnTwoTablets, rootInspection, storeRevisions } from '../testing/conflict-fixtures';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { ConflictDetailPage } from './conflict-detail.page';
import { arrivingBeforeWriteOf } from '../testing/arriving-before-write';
import { attachSyncTracking, endSyncTracking } from '../testing/sync-tracking';

describe('ConflictDetailPage', () => {
  let db: Database;
  let server: ReturnType<typeof fakeServer>;
  let fixture: ComponentFixture<ConflictDetailPage>;
  let navigate: jasmine.Spy;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    server = fakeServer(prefix);
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions(), prefix), provideRouter([]), { provide: REMOTE_DB_FACTORY, useValue: server.open }],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    await attachSyncTracking(db);
    navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
  });

  afterEach(async () => {
    fixture?.destroy();
    await endSyncTracking(db);
    await server.destroy();
  });

  const all = (id: string, within: ParentNode = fixture.nativeElement) =>
    Array.from(within.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[];
  const field = (path: string) =>
    fixture.nativeElement.querySelector(`[data-testid=conflict-field][data-path="${path}"]`) as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  /** Stores the revisions locally and, unless `ancestorOnServer` is false, on the server stand-in too. */
  async function replicated(revisions: LeafDoc[], { ancestorOnServer = true } = {}): Promise<void> {
    if (ancestorOnServer) await storeRevisions(server.open(ANA.db), revisions);
    await storeRevisions(db, revisions);
  }

  async function open(id: string): Promise<void> {
    fixture = TestBed.createComponent(ConflictDetailPage);
    fixture.componentRef.setInput('id', id);
    await until(() => all('conflict-version').length > 0 || all('conflict-gone').length > 0, 'the conflict to load');
  }

  async function current(id: string): Promise<Record<string, unknown>> {
    return db.get<Record<string, unknown>>(id, { conflicts: true });
  }

  it('shows every version with who saved it, when and where, and the fields that differ', async () => {
    const root = rootInspection();
    await replicated([
      root,
      editOf(root, 'bbb', {
        title: 'Ours',
        site: 'Plant 5',
        updatedBy: 'ana',
        updatedAt: '2026-03-01T09:00:00.000Z',
        deviceId: 'device-test',
      }),
      editOf(root, 'aaa', { title: 'Theirs', updatedBy: 'ana', updatedAt: '2026-03-01T09:30:00.000Z', deviceId: 'device-b' }),
    ]);
    await open(root._id);

    const versions = all('conflict-version');
    expect(versions.map((version) => version.getAttribute('data-rev'))).toEqual(['2-bbb', '2-aaa']);
    expect(all('version-device').map((device) => device.textContent?.trim())).toEqual(['This device', 'Device b']);
    expect(all('version-device')[1].getAttribute('title')).toBe('device-b');
    expect(all('version-by', versions[1])[0].textContent).toContain('ana');
    expect(all('version-at', versions[1])[0].textContent).toContain('2026');
    expect(all('ancestor-missing').length).toBe(0);
    expect(field('title')?.getAttribute('data-status')).toBe('conflict');
    expect(field('site')?.getAttribute('data-status')).toBe('merged');
    expect(field('status')).toBeNull();
    (all('show-unchanged')[0].querySelector('button') as HTMLElement).click();
    await until(() => field('status') !== null, 'unchanged fields shown');
  });

  it('resolves by choosing per field, writing the result on the winner and ending the other version', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours', site: 'Plant 5' }), editOf(root, 'aaa', { title: 'Theirs', notes: 'n' })]);
    await open(root._id);
    const resolve = all('resolve-conflict')[0] as HTMLButtonElement;
    expect(resolve.disabled).toBeTrue();
    expect(all('unresolved-count')[0].textContent).toContain('1 more field');

    all('choose-2-aaa', field('title')!)[0].click();
    await until(() => !resolve.disabled, 'the resolve button enabled');
    expect(all('conflict-result', field('title')!)[0].textContent).toBe('Theirs');
    resolve.click();
    await waitFor(() => navigate.calls.count() > 0, 'back to the inbox');
    expect(navigate).toHaveBeenCalledWith('/conflicts');
    const resolved = await current(root._id);
    expect(resolved['_conflicts']).toBeUndefined();
    expect([resolved['title'], resolved['site'], resolved['notes'], resolved['updatedBy'], resolved['mergedBy']]).toEqual([
      'Theirs',
      'Plant 5',
      'n',
      'ana',
      'ana',
    ]);
  });

  it('keeps the lines of a long text in every column, the common version and the result too', async () => {
    const root = rootInspection('ana', { notes: 'Old line 1\nOld line 2' });
    await replicated([root, editOf(root, 'bbb', { notes: 'New line 1\nNew line 2' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    await open(root._id);
    const notes = field('notes')!;
    const text = (selector: string) => (notes.querySelector(selector) as HTMLElement).innerText.trim();
    expect(text('.cell')).toBe('New line 1\nNew line 2');
    expect(text('.ancestor')).toBe('Old line 1\nOld line 2');
    expect(text('.result')).toBe('New line 1\nNew line 2');
  });

  it('keeps one version whole', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours', site: 'Plant 5' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    await open(root._id);
    all('keep-version')
      .find((button) => button.getAttribute('data-rev') === '2-aaa')!
      .click();
    await waitFor(() => navigate.calls.count() > 0, 'back to the inbox');
    const resolved = await current(root._id);
    expect([resolved['title'], resolved['site'], resolved['_conflicts']]).toEqual(['Theirs', 'Plant 4', undefined]);
  });

  it('says so when the ancestor is gone and compares two-way', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Plant 9' })], { ancestorOnServer: false });
    await open(root._id);
    expect(all('ancestor-missing').length).toBe(1);
    expect(field('title')?.getAttribute('data-status')).toBe('conflict');
    expect(field('site')?.getAttribute('data-status')).toBe('conflict');
  });

  it('says the server cannot be reached, not that the ancestor is gone, and merges three-way once it can', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Plant 9' })]);
    const serverDb = server.open(ANA.db);
    const offline = () => Promise.reject(new TypeError('Failed to fetch'));
    const get = spyOn(serverDb, 'get').and.callFake(offline);
    const info = spyOn(serverDb, 'info').and.callFake(offline);
    await open(root._id);
    expect(all('ancestor-unreachable').length).toBe(1);
    expect(all('ancestor-missing').length).toBe(0);
    expect(field('site')?.getAttribute('data-status')).toBe('conflict');

    get.and.callThrough();
    info.and.callThrough();
    all('retry-ancestor')[0].click();
    await until(() => all('ancestor-unreachable').length === 0, 'the common version fetched');
    expect(field('site')?.getAttribute('data-status')).toBe('merged');
    expect(field('title')?.getAttribute('data-status')).toBe('merged');
  });

  it('names the other devices by the names their users gave them, else by a short form of their id', async () => {
    const root = rootInspection();
    const uuid = '3f2a9c1b-7d4e-4f10-9a1b-2c3d4e5f6a7b';
    await replicated([
      root,
      editOf(root, 'bbb', {
        title: 'Ours',
        updatedBy: 'ana',
        updatedAt: '2026-03-01T09:00:00.000Z',
        deviceId: 'device-b',
        deviceName: 'Tablet 3',
      }),
      editOf(root, 'aaa', { title: 'Theirs', updatedBy: 'ana', updatedAt: '2026-03-01T09:30:00.000Z', deviceId: `device-${uuid}` }),
    ]);
    await open(root._id);

    expect(all('version-device').map((device) => device.textContent?.trim())).toEqual(['Tablet 3', 'Device 3f2a9c1b']);
    expect(all('version-device').map((device) => device.getAttribute('title'))).toEqual(['device-b', `device-${uuid}`]);
  });

  it("makes every difference between two devices' resolutions of one conflict a choice, and says why", async () => {
    const root = rootInspection();
    await replicated(
      resolvedOnTwoTablets(root, {
        ours: { title: 'Ours', site: 'Plant 8' },
        theirs: { title: 'Theirs', site: 'Plant 9' },
        a: { site: 'Plant 9' },
        b: { title: 'Theirs' },
      }),
    );
    await open(root._id);

    expect(all('rival-resolutions').length).toBe(1);
    expect(all('ancestor-missing').length).toBe(0);
    expect([field('title'), field('site')].map((row) => row?.getAttribute('data-status'))).toEqual(['conflict', 'conflict']);
    expect(all('unresolved-count')[0].textContent).toContain('2 more fields');
  });

  it('makes deleted vs edited an explicit choice', async () => {
    const root = rootInspection();
    const stamp = { updatedBy: 'ana', updatedAt: '2026-03-01T10:00:00.000Z', deviceId: 'device-b' };
    await replicated([root, editOf(root, 'aaa', { title: 'Edited' }), deletionOf(root, 'zzz', stamp)]);
    await open(root._id);
    const deletedVersion = all('conflict-version')[1];
    expect(all('version-deleted', deletedVersion).length).toBe(1);
    expect(all('version-device', deletedVersion)[0].textContent).toContain('Device b');
    expect(field('_deleted')?.getAttribute('data-status')).toBe('conflict');

    all('choose-2-zzz', field('_deleted')!)[0].click();
    await fixture.whenStable();
    all('resolve-conflict')[0].click();
    await waitFor(() => navigate.calls.count() > 0, 'back to the inbox');
    await expectAsync(db.get(root._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    const leaves = await db.get(root._id, { open_revs: 'all' });
    expect(leaves.every((leaf) => 'ok' in leaf && (leaf.ok as { _deleted?: boolean })._deleted)).toBeTrue();
  });

  it('shows why the rules refuse a result, and writes nothing', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { status: 'approved', updatedBy: 'sam' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    await open(root._id);
    all('resolve-conflict')[0].click();
    await until(() => all('resolve-error').length > 0, 'the refusal');
    expect(all('resolve-error')[0].textContent).toContain('an approved inspection can only be changed by a supervisor');
    expect(navigate).not.toHaveBeenCalled();
    expect((await db.get(root._id, { open_revs: 'all' })).length).toBe(2);
  });

  it('says when a resolution is saved while another version arrives, and shows the versions now', async () => {
    const root = rootInspection();
    const theirs = editOf(root, 'aaa', { title: 'Theirs' });
    await replicated([root, editOf(root, 'bbb', { title: 'Ours', site: 'Plant 5' }), theirs]);
    await open(root._id);
    // Another device's edit of "Theirs" replicates in just as the resolution is written.
    const arrived = arrivingBeforeWriteOf(db, root._id, () => storeRevisions(db, [editOf(theirs, 'ddd', { title: 'Theirs, again' })]));

    all('keep-version')
      .find((button) => button.getAttribute('data-rev') === '2-aaa')!
      .click();

    await until(() => all('conflict-overtaken').length === 1, 'the notice');
    expect(arrived()).toBeTrue();
    await until(() => all('conflict-version').some((version) => version.getAttribute('data-rev') === '3-ddd'), 'the new version shown');
    expect(all('conflict-version').length).toBe(2);
    expect(navigate).not.toHaveBeenCalled();
    expect(all('changed-elsewhere').length).toBe(0);
  });

  it('keeps the choices made and says so when another version arrives', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    await open(root._id);
    all('choose-2-aaa', field('title')!)[0].click();
    await until(() => all('conflict-result', field('title')!)[0]?.textContent === 'Theirs', 'the choice shown');

    await storeRevisions(db, [editOf(editOf(root, 'aaa', { title: 'Theirs' }), 'ccc', { title: 'Theirs again' })]);
    await until(() => all('changed-elsewhere').length === 1, 'the changed-elsewhere notice');
    expect(all('conflict-result', field('title')!)[0].textContent).toBe('Theirs');
    all('reload-doc')[0].click();
    await until(() => all('conflict-version').some((version) => version.getAttribute('data-rev') === '3-ccc'), 'the new version shown');
    expect(all('changed-elsewhere').length).toBe(0);
  });

  it('notices when the conflict is resolved elsewhere', async () => {
    const root = rootInspection();
    await replicated([root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })]);
    await open(root._id);
    await db.bulkDocs([{ _id: root._id, _rev: '2-aaa', _deleted: true, mergedInto: '2-bbb' }]);
    await until(() => all('conflict-gone').length === 1, 'the conflict gone');
  });
});
