import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { provideRouter, Router, withNavigationErrorHandler } from '@angular/router';
import { Subject } from 'rxjs';
import { isFailedPageLoad, sayPageDidNotLoad } from './page-load-failure';

@Component({ template: '' })
class SomePage {}

const failedImport = new TypeError('Failed to fetch dynamically imported module: http://127.0.0.1/chunk-LMZ2DLHH.js');

/** A router whose lazy pages fail as given, and a snack bar that records what it was asked to show. */
function setUp() {
  const dismissed = new Subject<void>();
  const notice = { onAction: () => new Subject<void>(), afterDismissed: () => dismissed, dismiss: jasmine.createSpy('dismiss') };
  const snackBar = jasmine.createSpyObj<MatSnackBar>('MatSnackBar', { open: notice as never });
  TestBed.configureTestingModule({
    providers: [
      provideRouter(
        [
          { path: 'home', component: SomePage },
          { path: 'offline-page', loadComponent: () => Promise.reject(failedImport) },
          { path: 'broken-page', loadComponent: () => Promise.reject(new Error('a bug in the page')) },
        ],
        withNavigationErrorHandler(sayPageDidNotLoad),
      ),
      { provide: MatSnackBar, useValue: snackBar },
    ],
  });
  return { router: TestBed.inject(Router), snackBar, notice };
}

describe('a page whose code does not load', () => {
  it('tells failed imports, in each browser’s words, from other errors', () => {
    expect(isFailedPageLoad(failedImport)).toBeTrue();
    expect(isFailedPageLoad(new TypeError('error loading dynamically imported module: https://x/chunk.js'))).toBeTrue();
    expect(isFailedPageLoad(new TypeError('Importing a module script failed.'))).toBeTrue();
    expect(isFailedPageLoad(new TypeError('x is not a function'))).toBeFalse();
    expect(isFailedPageLoad('Failed to fetch dynamically imported module')).toBeFalse();
  });

  it('says so with a Try again, and stays where it was', async () => {
    const { router, snackBar } = setUp();
    await router.navigateByUrl('/home');
    await expectAsync(router.navigateByUrl('/offline-page')).toBeRejected();
    expect(snackBar.open).toHaveBeenCalledOnceWith(jasmine.stringContaining('This page did not load'), 'Try again');
    expect(router.url).toBe('/home');
  });

  it('says nothing of an error that is not a failed load (the global handler logs it)', async () => {
    const { router, snackBar } = setUp();
    await expectAsync(router.navigateByUrl('/broken-page')).toBeRejected();
    expect(snackBar.open).not.toHaveBeenCalled();
  });

  it('takes the notice away once the user has gone to another page', async () => {
    const { router, notice } = setUp();
    await expectAsync(router.navigateByUrl('/offline-page')).toBeRejected();
    expect(notice.dismiss).not.toHaveBeenCalled();
    await router.navigateByUrl('/home');
    expect(notice.dismiss).toHaveBeenCalled();
  });
});
