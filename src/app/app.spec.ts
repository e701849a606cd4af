import { BreakpointObserver } from '@angular/cdk/layout';
import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Subject, of } from 'rxjs';
import { Router, provideRouter } from '@angular/router';
import { SwUpdate, VersionEvent, provideServiceWorker } from '@angular/service-worker';
import { userDbName } from '../../domain/user-db-name';
import { App } from './app';
import { LocalDbService } from './core/local-db.service';
import { SessionService } from './core/session.service';
import { ConflictIndexService } from './core/conflict-index.service';
import { WorkspaceService } from './core/workspace.service';
import { UpdatePromptService } from './pwa/update-prompt.service';
import { editOf, rootInspection, storeRevisions } from './testing/conflict-fixtures';
import { ANA, FakeSessions, fakeSessions, provideTestData, requestsFinished, trackRequests, waitFor } from './testing/test-support';

describe('App shell', () => {
  let sessions: FakeSessions;
  let workspace: jasmine.SpyObj<WorkspaceService>;
  /** Whether the window is as narrow as a tablet in portrait (NARROW_HEADER). */
  let narrow: boolean;

  beforeEach(() => {
    narrow = false;
    sessions = fakeSessions();
    workspace = jasmine.createSpyObj<WorkspaceService>('WorkspaceService', ['open', 'close', 'sync']);
    workspace.sync.and.resolveTo();
    TestBed.configureTestingModule({
      imports: [App],
      providers: [
        ...provideTestData(sessions),
        provideRouter([]),
        provideServiceWorker('ngsw-worker.js', { enabled: false }),
        { provide: SessionService, useValue: sessions },
        { provide: WorkspaceService, useValue: workspace },
        {
          provide: BreakpointObserver,
          useFactory: () => ({ observe: () => of({ matches: narrow, breakpoints: {} }), isMatched: () => narrow }),
        },
      ],
    });
  });

  it('shows the sync state and logout for a logged-in user', async () => {
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('[data-testid=sync-state]')).not.toBeNull();
    expect(element.querySelector('[data-testid=logout]')).not.toBeNull();
    expect(element.textContent).toContain('ana');
  });

  it('folds the navigation into a menu on a narrow screen, keeping the user and Log out in the toolbar', async () => {
    narrow = true;
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('nav')).toBeNull();
    expect(element.querySelector('[data-testid=nav-menu]')?.getAttribute('aria-label')).toBe('Menu');
    expect(element.querySelector('[data-testid=user-name]')?.textContent).toBe('ana');
    expect(element.querySelector('[data-testid=logout]')).not.toBeNull();
    (element.querySelector('[data-testid=nav-menu]') as HTMLElement).click();
    await fixture.whenStable();
    expect(document.querySelector('.cdk-overlay-container [data-testid=nav-conflicts]')?.getAttribute('href')).toBe('/conflicts');
    fixture.destroy();
  });

  it('offers a downloaded update in the toolbar until the app reloads', async () => {
    const versionUpdates = new Subject<VersionEvent>();
    TestBed.overrideProvider(SwUpdate, { useValue: { isEnabled: true, versionUpdates, unrecoverable: new Subject() } });
    const reload = spyOn(TestBed.inject(UpdatePromptService), 'reload');
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    const button = () => (fixture.nativeElement as HTMLElement).querySelector<HTMLButtonElement>('[data-testid=update-reload]');
    expect(button()).toBeNull();
    versionUpdates.next({ type: 'VERSION_READY', currentVersion: { hash: 'a' }, latestVersion: { hash: 'b' } });
    await fixture.whenStable();
    TestBed.inject(MatSnackBar).dismiss();
    button()!.click();
    expect(reload).toHaveBeenCalled();
  });

  it('goes to the login page when the session ends elsewhere (e.g. another tab logged out)', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    sessions.set(null);
    await waitFor(async () => {
      await fixture.whenStable();
      return navigate.calls.count() > 0;
    }, 'navigation');
    expect(navigate).toHaveBeenCalledWith('/login');
    expect(workspace.sync).toHaveBeenCalled();
    expect(fixture.nativeElement.querySelector('[data-testid=logout]')).toBeNull();
  });

  it('leaves the page on screen for the list when another user is logged in elsewhere, the logout unseen', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    sessions.set({ name: 'ben', roles: [], db: userDbName('ben') });
    await waitFor(async () => {
      await fixture.whenStable();
      return navigate.calls.count() > 0;
    }, 'navigation');
    expect(navigate.calls.allArgs()).toEqual([['/']]);
    expect(workspace.sync).toHaveBeenCalled();
  });

  it('stays on the page when the same user’s session is renewed', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    const syncs = workspace.sync.calls.count();
    sessions.set({ ...ANA });
    await waitFor(async () => {
      await fixture.whenStable();
      return workspace.sync.calls.count() > syncs;
    }, 'the session followed');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('counts conflicts in a badge on the Conflicts link', async () => {
    localStorage.setItem('fieldbook.autoMerge', JSON.stringify({ inspection: false }));
    const db = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(db);
    const conflictIndex = TestBed.inject(ConflictIndexService);
    await conflictIndex.attach(db);
    try {
      const fixture = TestBed.createComponent(App);
      await fixture.whenStable();
      const element = fixture.nativeElement as HTMLElement;
      expect(element.querySelector('[data-testid=nav-conflicts]')?.getAttribute('href')).toBe('/conflicts');
      expect(element.querySelector('[data-testid=conflict-badge]')).toBeNull();

      const root = rootInspection();
      await storeRevisions(db, [root, editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Theirs' })]);
      await waitFor(async () => {
        await fixture.whenStable();
        return element.querySelector('[data-testid=conflict-badge]')?.textContent?.trim() === '1';
      }, 'the badge');
      fixture.destroy();
    } finally {
      conflictIndex.detach();
      const localDb = TestBed.inject(LocalDbService);
      // Destroys the shell (also when the test failed before) and what it started, the auto-merge.
      TestBed.resetTestingModule();
      await requestsFinished(db);
      await localDb.destroy();
      localStorage.removeItem('fieldbook.autoMerge');
    }
  });
});
