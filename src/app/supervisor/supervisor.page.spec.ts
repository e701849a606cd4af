import { HttpErrorResponse } from '@angular/common/http';
import { Subject } from 'rxjs';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { userDbName } from '../../../domain/user-db-name';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { ValidationError } from '../data/validation-bridge';
import { fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { waitWithoutTimers } from '../testing/wait-without-timers';
import { DirectoryService } from './directory.service';
import { HubService, QueueRead } from './hub.service';
import { SupervisorPage } from './supervisor.page';
import { defect as defectFixture, inspection as inspectionFixture } from '../../../test/fixtures/documents';

const SUBMITTED = {
  _id: 'inspection:1',
  _rev: '2-a',
  type: 'inspection',
  title: 'Boiler room',
  site: 'Depot 4',
  status: 'submitted',
  scheduledFor: '2026-03-09',
  assignedTo: 'ana',
} as Inspection;

describe('SupervisorPage', () => {
  let fixture: ComponentFixture<SupervisorPage>;
  let hub: jasmine.SpyObj<HubService>;
  let directory: jasmine.SpyObj<DirectoryService>;
  /** The hub's reads of the queue, as the page is told them. */
  let queue: Subject<QueueRead>;

  beforeEach(() => {
    queue = new Subject();
    hub = jasmine.createSpyObj<HubService>('HubService', ['assign', 'submitted$']);
    hub.submitted$.and.returnValue(queue);
    hub.assign.and.callFake(async (assignment) => ({ ...SUBMITTED, ...assignment, status: 'draft' }) as Inspection);
    directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana', 'ben'], partners: ['acme', 'globex'] });
    TestBed.configureTestingModule({
      imports: [SupervisorPage],
      providers: [provideRouter([]), { provide: HubService, useValue: hub }, { provide: DirectoryService, useValue: directory }],
    });
  });

  afterEach(() => fixture.destroy());

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement;
  const options = () => Array.from(document.querySelectorAll('mat-option')) as HTMLElement[];

  async function start(): Promise<void> {
    fixture = TestBed.createComponent(SupervisorPage);
    queue.next({ inspections: [SUBMITTED] });
    await waitFor(async () => (await fixture.whenStable(), !!el('submitted-row')), 'the review list');
  }

  /** Opens a select, clicks the named options, and closes it. */
  async function choose(id: string, ...names: string[]): Promise<string[]> {
    el(id).click();
    await fixture.whenStable();
    const shown = options().map((option) => option.textContent!.trim());
    for (const name of names)
      options()
        .find((option) => option.textContent!.trim() === name)!
        .click();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    (document.querySelector('.cdk-overlay-backdrop') as HTMLElement | null)?.click();
    await fixture.whenStable();
    return shown;
  }

  function type(id: string, value: string): void {
    const input = el(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('assigns to an inspector picked from the directory', async () => {
    await start();
    type('assign-title', 'Roof');
    type('assign-site', 'Depot 7');
    expect(await choose('assign-inspector', 'ben')).toEqual(['ana', 'ben']);
    el('assign-submit').click();
    await waitFor(() => hub.assign.calls.count() === 1, 'the assignment');
    expect(hub.assign.calls.mostRecent().args[0]).toEqual(jasmine.objectContaining({ title: 'Roof', site: 'Depot 7', assignedTo: 'ben' }));
  });

  it('says an inspector is required rather than assigning to nobody', async () => {
    await start();
    type('assign-title', 'Roof');
    el('assign-submit').click();
    await fixture.whenStable();
    expect(el('error-assignedTo').textContent!.trim()).toBe('Inspector is required');
    expect(hub.assign).not.toHaveBeenCalled();
  });

  /** The labels of the fields Material shows in its error state (outlined red). */
  const outlined = () =>
    Array.from(fixture.nativeElement.querySelectorAll('mat-form-field.mat-form-field-invalid mat-label') as NodeListOf<HTMLElement>).map(
      (label) => label.textContent!.trim(),
    );

  it('shows every missing field at once, worded like its label, outlined, and focuses the first', async () => {
    await start();
    expect(outlined()).toEqual([]);
    el('assign-submit').click();
    await waitFor(async () => (await fixture.whenStable(), document.activeElement === el('assign-title')), 'focus on the title');
    expect(el('error-title').textContent!.trim()).toBe('Title is required');
    expect(el('error-site').textContent!.trim()).toBe('Site is required');
    expect(el('error-assignedTo').textContent!.trim()).toBe('Inspector is required');
    expect(fixture.nativeElement.querySelector('[data-testid=error-scheduledFor]')).toBeNull();
    expect(outlined()).toEqual(['Title', 'Site', 'Inspector']);
    expect(hub.assign).not.toHaveBeenCalled();

    // Filling a field takes its message and outline away; the others stay.
    type('assign-title', 'Roof');
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=error-title]')).toBeNull();
    expect(outlined()).toEqual(['Site', 'Inspector']);
  });

  it("shows the rules' refusal next to its field, outlined and focused", async () => {
    hub.assign.and.rejectWith(new ValidationError({ site: 'must be at most 200 characters' }));
    await start();
    type('assign-title', 'Roof');
    type('assign-site', 'x'.repeat(201));
    await choose('assign-inspector', 'ben');
    el('assign-submit').click();
    await waitFor(async () => (await fixture.whenStable(), document.activeElement === el('assign-site')), 'focus on the site');
    expect(el('error-site').textContent!.trim()).toBe('Site must be at most 200 characters');
    expect(outlined()).toEqual(['Site']);
  });

  it('says why an assignment failed when the hub cannot be reached, and keeps the form for another try', async () => {
    // What PouchDB rejects with when the browser's fetch fails.
    hub.assign.and.rejectWith(new TypeError('Failed to fetch'));
    await start();
    type('assign-title', 'Roof');
    type('assign-site', 'Depot 7');
    await choose('assign-inspector', 'ben');
    el('assign-submit').click();
    await waitFor(async () => (await fixture.whenStable(), !!el('assign-error')), 'the error');
    expect(el('assign-error').textContent).toContain('The inspection could not be assigned: the server cannot be reached.');
    expect((el('assign-title') as HTMLInputElement).value).toBe('Roof');
    expect(el('assign-message')).toBeNull();
  });

  it('links each submission to its review page, with no comment box or partner picker for the whole queue', async () => {
    await start();
    expect(el('submitted-row').getAttribute('href')).toBe('/supervisor/inspections/inspection:1');
    expect(el('submitted-row').textContent).toContain('Boiler room');
    expect(el('review-comment')).toBeNull();
    expect(el('review-partners')).toBeNull();
    expect(el('approve')).toBeNull();
    expect(el('nav-team').getAttribute('href')).toBe('/supervisor/team');
  });

  const queueText = () => (fixture.nativeElement as HTMLElement).querySelector('section:last-of-type')!.textContent!;

  it('says the queue is loading, not that nothing waits, until it has been read', async () => {
    fixture = TestBed.createComponent(SupervisorPage);
    await fixture.whenStable();
    expect(queueText()).not.toContain('Nothing is waiting for review.');
    expect(el('queue-loading').textContent).toContain('Loading…');

    queue.next({ inspections: [] });
    await waitFor(async () => (await fixture.whenStable(), queueText().includes('Nothing is waiting for review.')), 'the empty queue');
    expect(el('queue-loading')).toBeNull();
  });

  it('says why the queue could not be read, rather than that nothing waits, and keeps the list it had', async () => {
    fixture = TestBed.createComponent(SupervisorPage);
    // What PouchDB rejects with when the browser's fetch fails.
    queue.next({ error: new TypeError('Failed to fetch') });
    await waitFor(async () => (await fixture.whenStable(), !!el('queue-error')), 'the message');
    expect(el('queue-error').textContent).toContain('The inspections waiting for review could not be read: the server cannot be reached.');
    expect(queueText()).not.toContain('Nothing is waiting for review.');

    // Back online: a read clears the message; a later failure keeps the list and says so.
    queue.next({ inspections: [SUBMITTED] });
    await waitFor(async () => (await fixture.whenStable(), !!el('submitted-row') && !el('queue-error')), 'the list');
    queue.next({ error: new TypeError('Failed to fetch') });
    await waitFor(async () => (await fixture.whenStable(), !!el('queue-error')), 'the message again');
    expect(el('submitted-row').textContent).toContain('Boiler room');
  });

  it('says why the directory did not load, and loads it on "Try again"', async () => {
    directory.load.and.rejectWith(new HttpErrorResponse({ status: 0 }));
    await start();
    await waitFor(async () => (await fixture.whenStable(), !!el('directory-error')), 'the directory error');
    expect(el('directory-error').textContent).toContain('The inspectors and partners could not be loaded: the server cannot be reached.');

    directory.load.and.resolveTo({ inspectors: ['ana'], partners: [] });
    el('directory-retry').click();
    await waitFor(async () => (await fixture.whenStable(), !el('directory-error')), 'the directory');
    expect(await choose('assign-inspector')).toEqual(['ana']);
  });
});

/** The page on a local stand-in for the hub, its clock held still: what it shows, the hub's changes brought, not a timer. */
describe('SupervisorPage following the hub', () => {
  let hubDb: Database;
  let reads: jasmine.Spy;
  let fixture: ComponentFixture<SupervisorPage>;

  beforeEach(async () => {
    hubDb = new PouchDB<object>(`${uniqueDbPrefix()}hub`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await hubDb.createIndex({ index: { fields, name, ddoc } });
    reads = spyOn(hubDb, 'find').and.callThrough();
    const directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana'], partners: [] });
    TestBed.configureTestingModule({
      imports: [SupervisorPage],
      providers: [
        provideRouter([]),
        provideTestData(fakeSessions({ name: 'sam', roles: ['supervisor'], db: userDbName('sam'), hub: 'inspections' })),
        { provide: REMOTE_DB_FACTORY, useValue: () => hubDb },
        { provide: DirectoryService, useValue: directory },
      ],
    });
    jasmine.clock().install();
  });

  afterEach(async () => {
    fixture.destroy();
    jasmine.clock().uninstall();
    await hubDb.destroy();
  });

  /** Ana's submission, as the hub's fan-in replication brings it. */
  const submission = (title: string) => inspectionFixture('ana', { title, status: 'submitted' });
  const titles = () =>
    Array.from(fixture.nativeElement.querySelectorAll('[data-testid=submitted-row] .title') as NodeListOf<HTMLElement>)
      .map((title) => title.textContent!.trim())
      .sort();
  const queueError = () => fixture.nativeElement.querySelector('[data-testid=queue-error]') as HTMLElement | null;
  const shows = (what: string, condition: () => boolean) => waitWithoutTimers(() => (fixture.detectChanges(), condition()), what);

  it('shows a submission that reaches the hub after the page opened', async () => {
    await hubDb.put(submission('Boiler room'));
    fixture = TestBed.createComponent(SupervisorPage);
    await shows('the queue', () => titles().length === 1);

    await hubDb.put(submission('Roof'));
    await shows('the new submission', () => titles().length === 2);
    expect(titles()).toEqual(['Boiler room', 'Roof']);
  });

  it('takes an inspection out once it is decided elsewhere (another supervisor)', async () => {
    const decided = submission('Boiler room');
    const { rev } = await hubDb.put(decided);
    await hubDb.put(submission('Roof'));
    fixture = TestBed.createComponent(SupervisorPage);
    await shows('the queue', () => titles().length === 2);

    await hubDb.put({ ...decided, _rev: rev, status: 'approved', updatedBy: 'max' });
    await shows('the queue without it', () => titles().length === 1);
    expect(titles()).toEqual(['Roof']);
  });

  it('reads the queue once or twice for a burst of submissions, not once each, and not for defects or history entries', async () => {
    fixture = TestBed.createComponent(SupervisorPage);
    await shows('the empty queue', () => fixture.nativeElement.textContent.includes('Nothing is waiting for review.'));
    const before = reads.calls.count();

    const burst = Array.from({ length: 40 }, (_, i) => submission(`Burst ${i}`));
    await hubDb.bulkDocs(burst);
    await shows('the whole burst', () => titles().length === burst.length);
    expect(reads.calls.count() - before).toBeLessThanOrEqual(2);

    const afterBurst = reads.calls.count();
    const inspectionId = burst[0]._id;
    await hubDb.bulkDocs([defectFixture('ana', inspectionId), { _id: `audit:${inspectionId}:x`, type: 'audit', docId: inspectionId }]);
    await hubDb.put(submission('Roof'));
    await shows('the submission after them', () => titles().length === burst.length + 1);
    // The defect and the history entry came first: had they been read for, the count would be ahead.
    expect(reads.calls.count() - afterBurst).toBe(1);
  });

  it('says why when its feed breaks, keeps the list, and reads it again once the feed is back', async () => {
    await hubDb.put(submission('Boiler room'));
    const changes = hubDb.changes.bind(hubDb);
    // The page's live feeds (PouchDB reads a local database's own changes with it too).
    const feeds: PouchDB.Core.Changes<object>[] = [];
    spyOn(hubDb, 'changes').and.callFake(((options: PouchDB.Core.ChangesOptions) => {
      const feed = changes(options);
      if (options.live) feeds.push(feed);
      return feed;
    }) as typeof hubDb.changes);
    fixture = TestBed.createComponent(SupervisorPage);
    await shows('the queue', () => titles().length === 1);

    // The proxy restarts: the feed breaks, as a failed fetch breaks it.
    feeds[0]?.emit('error', new TypeError('Failed to fetch'));
    await shows('the error', () => !!queueError());
    expect(queueError()!.textContent).toContain('The inspections waiting for review could not be read: the server cannot be reached.');
    expect(titles()).toEqual(['Boiler room']);

    // Submitted meanwhile, and read once the feed is set up again.
    await hubDb.put(submission('Roof'));
    jasmine.clock().tick(5_000);
    await shows('the queue read again', () => titles().length === 2 && !queueError());
    expect(feeds.length).toBe(2);
  });
});
