import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { waitFor } from '../testing/test-support';
import { JOBS_REFRESH_MS, ReplicationJobsPage } from './replication-jobs.page';
import { ReplicationStatus } from './replication-jobs.service';

const RUNNING: ReplicationStatus = {
  id: 'fanin-alice',
  source: 'userdb-616c696365',
  target: 'inspections',
  state: 'running',
  lastUpdated: '2026-03-01T08:00:00Z',
  docsWritten: 1250,
  pending: 3,
};
const FAILED: ReplicationStatus = {
  id: 'partner-acme',
  source: 'inspections',
  target: 'partner-acme',
  state: 'failed',
  error: 'unauthorized: Name or password is incorrect.',
};

describe('ReplicationJobsPage', () => {
  let fixture: ComponentFixture<ReplicationJobsPage>;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [ReplicationJobsPage],
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: JOBS_REFRESH_MS, useValue: 50 }],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ReplicationJobsPage);
    nextPoll = undefined;
  });

  afterEach(() => fixture.destroy());

  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`) as NodeListOf<HTMLElement>);
  const text = (id: string) => all(id).map((el) => el.textContent!.trim());

  /** A poll the page made and the last `answer` took off the outstanding list, not answered yet. */
  let nextPoll: TestRequest | undefined;

  /** The page's next poll; `match` takes the requests it returns off the outstanding list. */
  async function poll(): Promise<TestRequest> {
    let request = nextPoll;
    nextPoll = undefined;
    if (!request) await waitFor(() => !!(request = http.match('/api/admin/replications')[0]), 'a poll');
    return request!;
  }

  /** Answers the page's next poll, and waits until the page has taken the answer and rendered. */
  async function answer(body: ReplicationStatus[] | { status: number; error?: object }): Promise<void> {
    const request = await poll();
    if (Array.isArray(body)) request.flush(body);
    else if (body.status === 0) request.error(new ProgressEvent('error'), { status: 0, statusText: '' });
    else request.flush(body.error ?? null, { status: body.status, statusText: 'Error' });
    // One refresh at a time: the page polls again only once it has taken this answer.
    await waitFor(() => !!(nextPoll = http.match('/api/admin/replications')[0]), 'the next poll');
    await fixture.whenStable();
  }

  it('lists the jobs, those in trouble first with their error, and counts them by state', async () => {
    await answer([RUNNING, FAILED]);
    expect(all('job-row').map((row) => row.textContent)).toEqual([
      jasmine.stringContaining('partner-acme'),
      jasmine.stringContaining('fanin-alice'),
    ]);
    expect(text('job-state')).toEqual(['failed', 'running']);
    expect(text('job-error')).toEqual(['unauthorized: Name or password is incorrect.']);
    expect(text('jobs-summary')[0]).toContain('2 jobs: 1 failed, 1 running');
    expect(text('job-progress')).toEqual(['–', '1,250 written · 3 pending']);
  });

  it('keeps the last list when a refresh fails, says why, and carries on polling', async () => {
    await answer([RUNNING]);
    await answer({ status: 0 });
    expect(text('jobs-error')).toEqual(['The replication jobs could not be loaded: the server cannot be reached.']);
    expect(all('job-row').length).toBe(1);

    await answer({ status: 403, error: { error: 'forbidden', reason: 'Only administrators may see replication jobs.' } });
    expect(text('jobs-error')).toEqual(['The replication jobs could not be loaded: Only administrators may see replication jobs.']);

    await answer([RUNNING, { ...FAILED, state: 'running', error: undefined }]);
    expect(text('jobs-error')).toEqual([]);
    expect(text('job-state')).toEqual(['running', 'running']);
  });

  it('says why when the jobs could not be loaded at all, not that they are loading', async () => {
    await answer({ status: 502, error: { error: 'bad_gateway', reason: 'The database server did not list its replication jobs.' } });
    expect(text('jobs-error')).toEqual([
      'The replication jobs could not be loaded: The database server did not list its replication jobs.',
    ]);
    expect(text('jobs-summary')[0]).not.toContain('Loading');

    await answer([]);
    expect(text('jobs-error')).toEqual([]);
    expect(text('jobs-summary')[0]).toContain('0 jobs');
  });
});
