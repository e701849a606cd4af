import { TestBed } from '@angular/core/testing';
import { LOCAL_DB_PREFIX, LocalDbService } from './core/local-db.service';
import { provideTestHooks } from './test-hooks.e2e';

/** The e2e build's hook (test-hooks.e2e.ts; the production build compiles test-hooks.ts instead). */
describe('provideTestHooks (e2e build)', () => {
  afterEach(() => {
    delete window.fieldbookDb;
  });

  it('makes the open local database window.fieldbookDb, and removes it when closed', async () => {
    const prefix = `test-${crypto.randomUUID().slice(0, 8)}-`;
    TestBed.configureTestingModule({ providers: [provideTestHooks(), { provide: LOCAL_DB_PREFIX, useValue: prefix }] });
    const local = TestBed.inject(LocalDbService);
    const db = await local.open('userdb-616e61');
    TestBed.tick();
    expect(window.fieldbookDb).toBe(db);

    await local.destroy();
    TestBed.tick();
    expect(window.fieldbookDb).toBeUndefined();
  });
});
