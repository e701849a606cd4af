import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Inspection } from '../../../domain/doc-types';
import { waitFor } from '../testing/test-support';
import { DirectoryService } from './directory.service';
import { HubService } from './hub.service';
import { NO_TEAM_FILTER, TeamFilter } from './team-query';
import { TEAM_PAGE_SIZE, TeamPage } from './team.page';

const doc = (n: number, overrides: Partial<Inspection> = {}) =>
  ({
    _id: `inspection:${n}`,
    type: 'inspection',
    title: `Inspection ${n}`,
    site: 'Depot 4',
    status: 'submitted',
    scheduledFor: '2026-03-09',
    createdBy: 'ana',
    ...overrides,
  }) as Inspection;

describe('TeamPage', () => {
  let harness: RouterTestingHarness;
  let hub: jasmine.SpyObj<HubService>;
  let directory: jasmine.SpyObj<DirectoryService>;

  beforeEach(() => {
    hub = jasmine.createSpyObj<HubService>('HubService', ['team']);
    hub.team.and.callFake(async (filter: TeamFilter, limit: number) =>
      filter.inspector === 'ben'
        ? { inspections: [doc(9, { assignedTo: 'ben', status: 'approved' })], more: false }
        : { inspections: Array.from({ length: limit }, (_, i) => doc(i)), more: limit < 2 * TEAM_PAGE_SIZE },
    );
    directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana', 'ben'], partners: [] });
    TestBed.configureTestingModule({
      imports: [TeamPage],
      providers: [
        provideRouter([{ path: 'supervisor/team', component: TeamPage }]),
        { provide: HubService, useValue: hub },
        { provide: DirectoryService, useValue: directory },
      ],
    });
  });

  afterEach(() => harness.fixture.destroy());

  const el = (id: string) => harness.routeNativeElement!.querySelector(`[data-testid=${id}]`) as HTMLElement;
  const rows = () => Array.from(harness.routeNativeElement!.querySelectorAll('[data-testid=team-row]')) as HTMLElement[];
  const fixture = { whenStable: () => harness.fixture.whenStable() };

  async function start(query = ''): Promise<void> {
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(`/supervisor/team${query}`, TeamPage);
    await waitFor(async () => (await fixture.whenStable(), rows().length > 0 || !!el('team-empty')), 'the list');
  }

  async function choose(id: string, name: string): Promise<void> {
    el(id).click();
    await fixture.whenStable();
    (Array.from(document.querySelectorAll('mat-option')) as HTMLElement[]).find((option) => option.textContent!.trim() === name)!.click();
    await fixture.whenStable();
  }

  function type(id: string, value: string): void {
    const input = el(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('lists the whole team a page at a time, each row opening its review page', async () => {
    await start();
    expect(hub.team).toHaveBeenCalledWith(NO_TEAM_FILTER, TEAM_PAGE_SIZE);
    expect(rows().length).toBe(TEAM_PAGE_SIZE);
    expect(rows()[0].getAttribute('href')).toBe('/supervisor/inspections/inspection:0');
    el('team-more').click();
    await waitFor(async () => (await fixture.whenStable(), rows().length === 2 * TEAM_PAGE_SIZE), 'the next page');
    expect(el('team-more')).toBeNull();
  });

  it('filters by inspector and status, and keeps the filter in the URL', async () => {
    await start();
    await choose('team-inspector', 'ben');
    await choose('team-status', 'Approved');
    await waitFor(
      () => hub.team.calls.mostRecent().args[0].inspector === 'ben' && hub.team.calls.mostRecent().args[0].status === 'approved',
      'the filtered query',
    );
    await waitFor(async () => (await fixture.whenStable(), rows().length === 1), 'the filtered list');
    expect(rows()[0].textContent).toContain('ben');
    await waitFor(() => TestBed.inject(Router).url.includes('inspector=ben'), 'the URL');
    expect(TestBed.inject(Router).url).toContain('status=approved');
  });

  it('starts from the filter in the URL, and says when the dates are the wrong way round instead of querying', async () => {
    await start('?inspector=ben&from=2026-03-01');
    expect(hub.team.calls.mostRecent().args[0]).toEqual({ ...NO_TEAM_FILTER, inspector: 'ben', from: '2026-03-01' });
    const calls = hub.team.calls.count();
    type('team-to', '2026-02-01');
    await waitFor(async () => (await fixture.whenStable(), !!el('team-range-error')), 'the message');
    expect(hub.team.calls.count()).toBe(calls);
    // The rows of the filter before are not the answer to this one.
    expect(rows().length).toBe(0);
  });

  it('says why the inspectors could not be loaded, still offers the one in the URL, and loads them on "Try again"', async () => {
    directory.load.and.rejectWith(new TypeError('Failed to fetch'));
    await start('?inspector=ben');
    await waitFor(async () => (await fixture.whenStable(), !!el('directory-error')), 'the message');
    expect(el('directory-error').textContent).toContain('The inspectors and partners could not be loaded: the server cannot be reached.');
    el('team-inspector').click();
    await fixture.whenStable();
    expect((Array.from(document.querySelectorAll('mat-option')) as HTMLElement[]).map((option) => option.textContent!.trim())).toEqual([
      'Anyone',
      'ben',
    ]);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    (document.querySelector('.cdk-overlay-backdrop') as HTMLElement | null)?.click();

    directory.load.and.resolveTo({ inspectors: ['ana', 'ben'], partners: [] });
    el('directory-retry').click();
    await waitFor(async () => (await fixture.whenStable(), !el('directory-error')), 'the directory');
    el('team-inspector').click();
    await fixture.whenStable();
    expect((Array.from(document.querySelectorAll('mat-option')) as HTMLElement[]).map((option) => option.textContent!.trim())).toEqual([
      'Anyone',
      'ana',
      'ben',
    ]);
  });

  it('shows no rows of the filter before while the new one is read, and offers no second "Show more" while one loads', async () => {
    await start();
    const answers: (() => void)[] = [];
    // A long list over a weak connection: each read answers when the test says.
    hub.team.and.callFake(
      (filter: TeamFilter, limit: number) =>
        new Promise((resolve) =>
          answers.push(() =>
            resolve({ inspections: Array.from({ length: limit }, (_, i) => doc(i, { status: filter.status || 'submitted' })), more: true }),
          ),
        ),
    );
    el('team-more').click();
    await waitFor(async () => (await fixture.whenStable(), answers.length === 1), 'the next page asked for');
    expect((el('team-more') as HTMLButtonElement).disabled).toBeTrue();
    expect(rows().length).toBe(TEAM_PAGE_SIZE);
    answers[0]();
    await waitFor(async () => (await fixture.whenStable(), rows().length === 2 * TEAM_PAGE_SIZE), 'the next page');
    expect((el('team-more') as HTMLButtonElement).disabled).toBeFalse();

    await choose('team-status', 'Approved');
    await waitFor(async () => (await fixture.whenStable(), answers.length === 2), 'the filtered query');
    expect(rows().length).toBe(0);
    expect(el('team-loading').textContent).toContain('Loading…');
    answers[1]();
    await waitFor(async () => (await fixture.whenStable(), rows().length === TEAM_PAGE_SIZE), 'the filtered list');
    expect(rows().every((row) => row.textContent!.includes('Approved'))).toBeTrue();
    expect(el('team-loading')).toBeNull();
  });

  it('reads the list again on "Try again" when the hub could not be reached, the page it was at included', async () => {
    const pages = async (_filter: TeamFilter, limit: number) => ({
      inspections: Array.from({ length: limit }, (_, i) => doc(i)),
      more: true,
    });
    hub.team.and.rejectWith(new TypeError('Failed to fetch'));
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/supervisor/team', TeamPage);
    await waitFor(async () => (await fixture.whenStable(), !!el('team-read-error')), 'the error');
    expect(rows().length).toBe(0);

    hub.team.and.callFake(pages);
    el('team-retry').click();
    await waitFor(async () => (await fixture.whenStable(), rows().length === TEAM_PAGE_SIZE), 'the first page');
    expect(el('team-read-error')).toBeNull();

    hub.team.and.rejectWith(new TypeError('Failed to fetch'));
    el('team-more').click();
    await waitFor(async () => (await fixture.whenStable(), !!el('team-read-error')), 'the error of "Show more"');
    hub.team.and.callFake(pages);
    el('team-retry').click();
    await waitFor(async () => (await fixture.whenStable(), rows().length === 2 * TEAM_PAGE_SIZE), 'the second page');
    expect(hub.team.calls.mostRecent().args[1]).toBe(2 * TEAM_PAGE_SIZE);
  });

  it('shows no rows of the filter before when the new one cannot be read; a failed "Show more" keeps its own', async () => {
    await start();
    hub.team.and.rejectWith(new TypeError('Failed to fetch'));
    el('team-more').click();
    await waitFor(async () => (await fixture.whenStable(), !!el('team-read-error')), 'the error');
    expect(rows().length).toBe(TEAM_PAGE_SIZE);

    await choose('team-status', 'Approved');
    await waitFor(async () => (await fixture.whenStable(), rows().length === 0), 'the rows gone');
    expect(el('team-read-error').textContent).toContain('the server cannot be reached');
  });
});
