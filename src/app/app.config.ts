import { ApplicationConfig, inject, isDevMode, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { MAT_SNACK_BAR_DEFAULT_OPTIONS, MatSnackBarConfig } from '@angular/material/snack-bar';
import { provideRouter, withComponentInputBinding, withNavigationErrorHandler } from '@angular/router';
import { provideServiceWorker } from '@angular/service-worker';
import { routes } from './app.routes';
import { sayPageDidNotLoad } from './pwa/page-load-failure';
import { ArchiveIndexService } from './archive/archive-index.service';
import { ARCHIVE_STORAGE } from './storage/storage-usage.service';
import { provideTestHooks } from './test-hooks';

/**
 * Snack bars open at the top: the update prompt stays until tapped, and at the bottom it covered
 * the page's own actions (a photo's Remove, Save).
 */
export const SNACK_BAR_DEFAULTS: MatSnackBarConfig = { verticalPosition: 'top' };

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withFetch()),
    provideRouter(routes, withComponentInputBinding(), withNavigationErrorHandler(sayPageDidNotLoad)),
    provideServiceWorker('ngsw-worker.js', {
      enabled: !isDevMode(),
      registrationStrategy: 'registerWhenStable:30000',
    }),
    // Nothing in production; window.fieldbookDb in the e2e build.
    provideTestHooks(),
    { provide: MAT_SNACK_BAR_DEFAULT_OPTIONS, useValue: SNACK_BAR_DEFAULTS },
    // The storage view's archive line: what the archive keeps here.
    {
      provide: ARCHIVE_STORAGE,
      useFactory: () => {
        const index = inject(ArchiveIndexService);
        return () => index.storedBytes();
      },
    },
  ],
};
