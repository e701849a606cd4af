import { HttpErrorResponse } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { ValidationError } from '../data/validation-bridge';
import { waitFor } from '../testing/test-support';
import { DirectoryService } from './directory.service';
import { HubService } from './hub.service';
import { SupervisorPage } from './supervisor.page';

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

  beforeEach(() => {
    hub = jasmine.createSpyObj<HubService>('HubService', ['assign', 'submitted']);
    hub.submitted.and.resolveTo([SUBMITTED]);
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
    await waitFor(async () => (await fixture.whenStable(), hub.submitted.calls.count() > 0 && !!el('submitted-row')), 'the review list');
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
    let answer!: (docs: Inspection[]) => void;
    hub.submitted.and.returnValue(new Promise((resolve) => (answer = resolve)));
    fixture = TestBed.createComponent(SupervisorPage);
    await waitFor(async () => (await fixture.whenStable(), hub.submitted.calls.count() > 0), 'the read');
    expect(queueText()).not.toContain('Nothing is waiting for review.');
    expect(el('queue-loading').textContent).toContain('Loading…');

    answer([]);
    await waitFor(async () => (await fixture.whenStable(), queueText().includes('Nothing is waiting for review.')), 'the empty queue');
    expect(el('queue-loading')).toBeNull();
  });

  it('says why the queue could not be read, rather than that nothing waits, and keeps the list it had', async () => {
    // What PouchDB rejects with when the browser's fetch fails.
    hub.submitted.and.rejectWith(new TypeError('Failed to fetch'));
    fixture = TestBed.createComponent(SupervisorPage);
    await waitFor(async () => (await fixture.whenStable(), !!el('queue-error')), 'the message');
    expect(el('queue-error').textContent).toContain('The inspections waiting for review could not be read: the server cannot be reached.');
    expect(queueText()).not.toContain('Nothing is waiting for review.');

    // Back online: the next poll reads it; a later failure keeps the list and says so.
    hub.submitted.and.resolveTo([SUBMITTED]);
    await waitFor(async () => (await fixture.whenStable(), !!el('submitted-row') && !el('queue-error')), 'the list');
    hub.submitted.and.rejectWith(new TypeError('Failed to fetch'));
    await waitFor(async () => (await fixture.whenStable(), !!el('queue-error')), 'the message again');
    expect(el('submitted-row').textContent).toContain('Boiler room');
  });

  describe('with a hub slower than the polling interval', () => {
    beforeEach(() => jasmine.clock().install());
    afterEach(() => jasmine.clock().uninstall());

    it('shows the list once it is read, and asks no more while one read is under way', async () => {
      // A long list over a weak connection: each read outlasts the next poll's tick.
      const answers: ((docs: Inspection[]) => void)[] = [];
      hub.submitted.and.callFake(() => new Promise((resolve) => answers.push(resolve)));
      fixture = TestBed.createComponent(SupervisorPage);
      jasmine.clock().tick(0);
      expect(hub.submitted).toHaveBeenCalledTimes(1);

      jasmine.clock().tick(10_000);
      expect(hub.submitted).toHaveBeenCalledTimes(1);

      answers[0]([SUBMITTED]);
      await Promise.resolve();
      fixture.detectChanges();
      expect(el('submitted-row')?.textContent).toContain('Boiler room');
    });

    it('gives up on a read that is never answered, says the server cannot be reached, and reads again', async () => {
      hub.submitted.and.returnValue(new Promise(() => undefined));
      fixture = TestBed.createComponent(SupervisorPage);
      jasmine.clock().tick(0);
      jasmine.clock().tick(30_000);
      fixture.detectChanges();
      expect(el('queue-error')?.textContent).toContain('the server cannot be reached');

      // The tick due with the time limit may already have started another read that hangs: past its limit too, one is answered.
      const answered = Promise.resolve([SUBMITTED]);
      hub.submitted.and.returnValue(answered);
      jasmine.clock().tick(33_000);
      await answered;
      fixture.detectChanges();
      expect(el('submitted-row')?.textContent).toContain('Boiler room');
    });
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
