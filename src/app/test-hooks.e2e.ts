import { EnvironmentProviders, effect, inject, provideEnvironmentInitializer } from '@angular/core';
import { LocalDbService } from './core/local-db.service';
import type { Database } from './core/pouchdb';

declare global {
  interface Window {
    /** The open local database; only in the e2e build. */
    fieldbookDb?: Database;
  }
}

/**
 * The e2e build's test hooks (angular.json configuration `e2e` puts this file in place of
 * test-hooks.ts; the production build has none): `window.fieldbookDb` is the logged-in
 * user's local PouchDB, so Playwright and the browser benchmarks can read it and write
 * documents the UI would refuse.
 */
export function provideTestHooks(): EnvironmentProviders {
  return provideEnvironmentInitializer(() => {
    const local = inject(LocalDbService);
    effect(() => {
      const db = local.db();
      if (db) window.fieldbookDb = db;
      else delete window.fieldbookDb;
    });
  });
}
