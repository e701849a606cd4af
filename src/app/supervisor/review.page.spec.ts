import { HttpErrorResponse } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { provideRouter } from '@angular/router';
import { Defect, Inspection } from '../../../domain/doc-types';
import { checklistItem } from '../../../test/fixtures/documents';
import { waitFor } from '../testing/test-support';
import { DirectoryService } from './directory.service';
import { HubDefect, HubService, ReviewRecord } from './hub.service';
import { ReviewPage } from './review.page';
import { Subject, of, startWith } from 'rxjs';

const SUBMITTED = {
  _id: 'inspection:1',
  _rev: '3-a',
  type: 'inspection',
  title: 'Boiler room',
  site: 'Depot 4',
  status: 'submitted',
  scheduledFor: '2026-03-09',
  assignedTo: 'ana',
  createdBy: 'sam',
  updatedBy: 'ana',
  updatedAt: '2026-03-08T10:00:00.000Z',
  deviceName: 'Tablet 3',
  checklist: [
    checklistItem('c1', 'pass', 'Valves'),
    { ...checklistItem('c2', 'fail', 'Pressure'), note: 'Gauge broken' },
    checklistItem('c3', 'na'),
  ],
} as Inspection;

const DEFECT = {
  _id: 'defect:1',
  type: 'defect',
  inspectionId: 'inspection:1',
  title: 'Gauge broken',
  severity: 4,
  location: 'Boiler 2',
  status: 'open',
  description: 'Needle stuck at zero',
  _attachments: {
    'photo-1.jpg': { content_type: 'image/jpeg', digest: 'md5-a', stub: true },
    'thumb-1.jpg': { content_type: 'image/jpeg', digest: 'md5-b', stub: true },
  },
} as unknown as HubDefect;

/** A red pixel, as the hub would return a thumbnail. */
async function redPixel(): Promise<Blob> {
  const canvas = new OffscreenCanvas(1, 1);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#f00';
  context.fillRect(0, 0, 1, 1);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('ReviewPage', () => {
  let fixture: ComponentFixture<ReviewPage>;
  let hub: jasmine.SpyObj<HubService>;
  let stored: Inspection;
  let record: ReviewRecord;
  /** The hub's live changes of the inspection, as the test makes them. */
  let hubChanges: Subject<void>;
  let directory: jasmine.SpyObj<DirectoryService>;

  beforeEach(async () => {
    stored = SUBMITTED;
    hub = jasmine.createSpyObj<HubService>('HubService', [
      'inspection',
      'defectsOf',
      'conflictOf',
      'attachment',
      'review',
      'undo',
      'history$',
      'watch',
    ]);
    hubChanges = new Subject<void>();
    // Set up at once, as the hub's feed is when the hub answers.
    hub.watch.and.returnValue(hubChanges.pipe(startWith(undefined)));
    hub.inspection.and.callFake(async () => stored);
    hub.defectsOf.and.resolveTo([DEFECT]);
    hub.conflictOf.and.resolveTo(null);
    hub.history$.and.returnValue(of([]));
    hub.attachment.and.returnValue(redPixel());
    hub.review.and.callFake(async (doc, decision, comment, partners) => {
      const before = stored;
      stored = { ...doc, _rev: '4-b', status: decision, reviewComment: comment, ...(partners?.length ? { partners: [...partners] } : {}) };
      record = { decision, before: [before, DEFECT as Defect], after: [stored, DEFECT as Defect] };
      return record;
    });
    hub.undo.and.callFake(async (done) => (stored = { ...(done.before[0] as Inspection), _rev: '5-c' }));
    directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana'], partners: ['acme', 'globex'] });
    TestBed.configureTestingModule({
      imports: [ReviewPage],
      providers: [provideRouter([]), { provide: HubService, useValue: hub }, { provide: DirectoryService, useValue: directory }],
    });
    fixture = TestBed.createComponent(ReviewPage);
    fixture.componentRef.setInput('id', 'inspection:1');
    await waitFor(async () => (await fixture.whenStable(), !!el('review-heading')), 'the inspection');
  });

  afterEach(() => {
    TestBed.inject(MatSnackBar).dismiss();
    fixture?.destroy();
  });

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement;
  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`)) as HTMLElement[];
  const text = (id: string) => el(id).textContent!.replace(/\s+/g, ' ').trim();
  const inOverlay = (id: string) => document.querySelector(`.cdk-overlay-container [data-testid=${id}]`) as HTMLElement | null;
  const snackBar = () => document.querySelector('mat-snack-bar-container');

  async function choosePartners(...names: string[]): Promise<void> {
    el('review-partners').click();
    await fixture.whenStable();
    for (const name of names)
      (Array.from(document.querySelectorAll('mat-option')) as HTMLElement[]).find((option) => option.textContent!.trim() === name)!.click();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    (document.querySelector('.cdk-overlay-backdrop') as HTMLElement | null)?.click();
    await fixture.whenStable();
  }

  function typeComment(value: string): void {
    const input = el('review-comment') as HTMLTextAreaElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  /** Clicks a decision and answers its confirmation. */
  async function decide(button: 'approve' | 'reject', answer: 'confirm' | 'cancel'): Promise<void> {
    el(button).click();
    const id = `confirm-${button === 'approve' ? 'approve' : 'reject'}-${answer}`;
    await waitFor(() => !!inOverlay(id), 'the confirmation');
    inOverlay(id)!.click();
  }

  it('shows the basics, who changed it last, the whole checklist with answers, and the defects with their photos', async () => {
    expect(hub.inspection).toHaveBeenCalledWith('inspection:1');
    expect(text('review-heading')).toBe('Boiler room');
    expect(text('review-status')).toBe('Submitted');
    expect(text('review-inspector')).toBe('ana');
    expect(text('review-last-change')).toContain('ana · Tablet 3');
    expect(all('review-checklist-item').map((item) => item.getAttribute('data-result'))).toEqual(['pass', 'fail', 'na']);
    expect(all('review-checklist-item')[1].textContent).toContain('Gauge broken');
    expect(text('review-defect-title')).toBe('Gauge broken');
    expect(text('review-defect-severity')).toBe('4 · Serious');
    expect(text('review-defect-summary')).toBe('Boiler 2 · open · 1 photo');
    // The thumbnail comes from the hub, and so does the full photo in the viewer.
    await waitFor(async () => (await fixture.whenStable(), !!el('photo-thumb')), 'the thumbnail');
    expect(hub.attachment).toHaveBeenCalledWith('defect:1', 'thumb-1.jpg');
    expect(all('remove-photo')).toEqual([]);
    (fixture.nativeElement.querySelector('app-photo-strip button.thumb') as HTMLElement).click();
    await waitFor(() => !!inOverlay('photo-full'), 'the photo viewer');
    // With a listener: the viewer says how much of the photo has come.
    expect(hub.attachment).toHaveBeenCalledWith('defect:1', 'photo-1.jpg', jasmine.any(Function));
  });

  it('approves with the comment and partners typed on this page, once confirmed, and offers Undo', async () => {
    typeComment('Looks good');
    await choosePartners('acme');
    await decide('approve', 'cancel');
    await fixture.whenStable();
    expect(hub.review).not.toHaveBeenCalled();

    await decide('approve', 'confirm');
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Approved'), 'the approval shown');
    // With the defects it showed: one that arrived meanwhile is not approved unseen.
    expect(hub.review).toHaveBeenCalledOnceWith(SUBMITTED, 'approved', 'Looks good', ['acme'], [DEFECT]);
    expect(text('review-shared-with')).toBe('acme');
    expect(snackBar()!.textContent).toContain('Approved.');

    (snackBar()!.querySelector('button') as HTMLElement).click();
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Submitted'), 'the undo shown');
    expect(hub.undo).toHaveBeenCalledOnceWith(record);
    // What was typed is still there for the next decision.
    expect((el('review-comment') as HTMLTextAreaElement).value).toBe('Looks good');
  });

  it('reads the inspection and its defects once when it opens', () => {
    expect(hub.inspection).toHaveBeenCalledTimes(1);
    expect(hub.defectsOf).toHaveBeenCalledTimes(1);
  });

  it('says when the hub is out of reach, and shows the inspection once its feed is set up', async () => {
    fixture.destroy();
    hub.inspection.calls.reset();
    let failed: ((error: unknown) => void) | undefined;
    const setUp = new Subject<void>();
    hub.watch.and.callFake((_id, onFailure) => {
      failed = onFailure;
      return setUp;
    });
    fixture = TestBed.createComponent(ReviewPage);
    fixture.componentRef.setInput('id', 'inspection:1');
    await waitFor(async () => (await fixture.whenStable(), !!failed), 'the feed asked for');
    failed!(new TypeError('Failed to fetch'));
    await waitFor(async () => (await fixture.whenStable(), !!el('review-load-error')), 'the message');
    expect(text('review-load-error')).toContain('could not be loaded');
    expect(el('review-heading')).toBeNull();
    expect(hub.inspection).not.toHaveBeenCalled();

    setUp.next();
    await waitFor(async () => (await fixture.whenStable(), !!el('review-heading')), 'the inspection');
    expect(el('review-load-error')).toBeNull();
  });

  it("shows another supervisor's decision as soon as the hub has it: no decision is offered on what is no longer submitted", async () => {
    expect(hub.watch).toHaveBeenCalledWith('inspection:1', jasmine.any(Function));
    expect(el('approve')).not.toBeNull();
    stored = { ...SUBMITTED, _rev: '4-z', status: 'approved' } as Inspection;
    hubChanges.next();
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Approved'), 'the decision shown');
    expect(el('approve')).toBeNull();
    // What is left to decide on an approval is reopening it.
    expect(text('review-reopen-hint')).toContain('Approved.');
    expect(el('reopen')).not.toBeNull();
  });

  it('shows the latest read when an earlier read of the hub answers after it', async () => {
    // The read for the first change of a burst answers last (a slow request): the page keeps what the last read found.
    let answerFirst!: (doc: Inspection) => void;
    hub.inspection.and.returnValue(new Promise((resolve) => (answerFirst = resolve)));
    hubChanges.next();
    await waitFor(() => hub.inspection.calls.count() === 2, 'the first read');
    stored = { ...SUBMITTED, _rev: '4-z', status: 'approved' } as Inspection;
    hub.inspection.and.callFake(async () => stored);
    hubChanges.next();
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Approved'), 'the decision shown');

    answerFirst(SUBMITTED);
    await waitFor(() => hub.defectsOf.calls.count() >= 3, 'both reads');
    await fixture.whenStable();
    expect(text('review-status')).toBe('Approved');
    expect(el('approve')).toBeNull();
  });

  it('reopens an approval once confirmed, saying which partners it is taken back from, and offers Undo', async () => {
    stored = { ...SUBMITTED, _rev: '4-z', status: 'approved', partners: ['acme', 'globex'] } as Inspection;
    hubChanges.next();
    await waitFor(async () => (await fixture.whenStable(), !!el('reopen')), 'the approval shown');
    typeComment('The roof photo is of another site');
    el('reopen').click();
    await waitFor(() => !!inOverlay('confirm-reopen-confirm'), 'the confirmation');
    expect(document.querySelector('mat-dialog-container')!.textContent).toContain('is taken back from acme, globex');
    inOverlay('confirm-reopen-confirm')!.click();
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Rejected'), 'the reopening shown');
    expect(hub.review).toHaveBeenCalledOnceWith(
      jasmine.objectContaining({ status: 'approved', partners: ['acme', 'globex'] }),
      'rejected',
      'The roof photo is of another site',
      [],
      [DEFECT],
    );
    expect(snackBar()!.textContent).toContain('Reopened.');

    (snackBar()!.querySelector('button') as HTMLElement).click();
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Approved'), 'the undo shown');
    expect(hub.undo).toHaveBeenCalledOnceWith(record);
  });

  it('rejects once confirmed, sharing with nobody', async () => {
    await choosePartners('globex');
    typeComment('Photos missing');
    await decide('reject', 'confirm');
    await waitFor(async () => (await fixture.whenStable(), text('review-status') === 'Rejected'), 'the rejection shown');
    expect(hub.review).toHaveBeenCalledOnceWith(SUBMITTED, 'rejected', 'Photos missing', [], [DEFECT]);
    expect(text('review-not-decidable')).toContain('Rejected');
    expect(el('approve')).toBeNull();
  });

  it('says why the partners could not be loaded, rather than offering none, and loads them on "Try again"', async () => {
    fixture.destroy();
    directory.load.and.rejectWith(
      new HttpErrorResponse({ status: 502, error: { error: 'bad_gateway', reason: 'The database server did not list its users.' } }),
    );
    fixture = TestBed.createComponent(ReviewPage);
    fixture.componentRef.setInput('id', 'inspection:1');
    await waitFor(async () => (await fixture.whenStable(), !!el('review-heading') && !!el('directory-error')), 'the message');
    expect(text('directory-error')).toContain('The inspectors and partners could not be loaded');
    // Deciding without sharing still works.
    expect(el('approve')).not.toBeNull();

    directory.load.and.resolveTo({ inspectors: ['ana'], partners: ['acme'] });
    el('directory-retry').click();
    await waitFor(async () => (await fixture.whenStable(), !el('directory-error')), 'the directory');
    await choosePartners('acme');
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid=review-partners]')!.textContent).toContain('acme');
  });

  it('says when the inspection changed meanwhile, shows it as it is now, and keeps what was typed', async () => {
    hub.review.and.callFake(async () => {
      stored = { ...SUBMITTED, _rev: '4-x', title: 'Boiler room (renamed)' };
      throw Object.assign(new Error('Document update conflict'), { status: 409 });
    });
    typeComment('Looks good');
    await decide('approve', 'confirm');
    await waitFor(async () => (await fixture.whenStable(), !!el('review-error')), 'the message');
    expect(text('review-error')).toContain('changed meanwhile');
    expect(text('review-heading')).toBe('Boiler room (renamed)');
    expect((el('review-comment') as HTMLTextAreaElement).value).toBe('Looks good');
    expect(snackBar()).toBeNull();
  });
});
