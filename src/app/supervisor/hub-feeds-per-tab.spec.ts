import { TestBed } from '@angular/core/testing';
import { Route, provideRouter, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { userDbName } from '../../../domain/user-db-name';
import { inspection } from '../../../test/fixtures/documents';
import { routes } from '../app.routes';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { Session } from '../core/session.model';
import { fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { DirectoryService } from './directory.service';

const SAM: Session = { name: 'sam', roles: ['supervisor'], db: userDbName('sam'), hub: 'inspections' };

/** The app's own supervisor routes (the desk, the team list and the review page), guard included. */
const supervisorRoute = routes.flatMap((route) => route.children ?? []).find((route) => route.path === 'supervisor') as Route;

/**
 * The proxy counts each user's live feeds against a limit. The desk and the review page each
 * follow the hub with one; as sibling routes in the one outlet, they are never alive together,
 * so a tab holds one hub feed at most, also while going from the desk to a review.
 */
describe('Hub feeds of a supervisor tab', () => {
  let hubDb: Database;
  /** The live feeds of the hub started, open now, and the most ever open at once. */
  let started: number;
  let open: number;
  let most: number;

  beforeEach(async () => {
    hubDb = new PouchDB<object>(`${uniqueDbPrefix()}hub`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await hubDb.createIndex({ index: { fields, name, ddoc } });
    started = open = most = 0;
    const changes = hubDb.changes.bind(hubDb);
    spyOn(hubDb, 'changes').and.callFake(((options?: PouchDB.Core.ChangesOptions) => {
      const feed = changes(options);
      if (options?.live) {
        started++;
        most = Math.max(most, ++open);
        // A cancelled feed completes too.
        feed.on('complete', () => open--);
      }
      return feed;
    }) as typeof hubDb.changes);
    const directory = jasmine.createSpyObj<DirectoryService>('DirectoryService', ['load']);
    directory.load.and.resolveTo({ inspectors: ['ana'], partners: [] });
    TestBed.configureTestingModule({
      providers: [
        provideTestData(fakeSessions(SAM)),
        { provide: REMOTE_DB_FACTORY, useValue: () => hubDb },
        { provide: DirectoryService, useValue: directory },
        // As app.config.ts: the review page's id comes from the route.
        provideRouter([supervisorRoute], withComponentInputBinding()),
      ],
    });
  });

  afterEach(() => hubDb.destroy());

  it('holds one live feed of the hub, from the desk to a review page', async () => {
    const waiting = inspection('ana', { status: 'submitted', assignedTo: 'ana' });
    await hubDb.put(waiting);
    const harness = await RouterTestingHarness.create('/supervisor');
    const shown = (testId: string) => async () => {
      await harness.fixture.whenStable();
      return !!harness.routeNativeElement?.querySelector(`[data-testid=${testId}]`);
    };
    await waitFor(shown('submitted-row'), 'the review queue');
    expect(open).withContext('the desk').toBe(1);

    await harness.navigateByUrl(`/supervisor/inspections/${waiting._id}`);
    await waitFor(shown('review-heading'), 'the review page');
    expect(started).withContext('feeds started').toBe(2);

    expect(open).withContext('the review page').toBe(1);
    expect(most).withContext('at once').toBe(1);
  });
});
