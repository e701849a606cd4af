import { TestBed } from '@angular/core/testing';
import { Inspection } from '../../../domain/doc-types';
import { checklistItem, inspection } from '../../../test/fixtures/documents';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { ANA, fakeSessions, provideTestData } from '../testing/test-support';
import { DocWriterService } from './doc-writer.service';
import { LocalMigrationService, MIGRATION_BATCH_SIZE } from './local-migration.service';

describe('LocalMigrationService', () => {
  let db: Database;
  let ledger: PushLedgerService;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [...provideTestData(fakeSessions()), { provide: MIGRATION_BATCH_SIZE, useValue: 100 }] });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
  });

  afterEach(async () => {
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  /** Inspections as the release before schema versions wrote them: no `schema`, no `priority`. */
  async function seedOld(count: number, fields: Partial<Inspection> = {}): Promise<string[]> {
    const docs = Array.from({ length: count }, (_, n) => inspection('ana', { title: `Inspection ${n + 1}`, ...fields }));
    // In pages, as a sync writes them: one write of 10,000 holds the page longer than Karma waits for it.
    for (let start = 0; start < count; start += 200) await db.bulkDocs(docs.slice(start, start + 200));
    return docs.map((doc) => doc._id);
  }

  /** A new instance, as after a reload: it knows only what the database holds. */
  function reloadedService(): LocalMigrationService {
    return TestBed.runInInjectionContext(() => new LocalMigrationService());
  }

  /** Every inspection, in id order, read in pages. */
  async function inspections(): Promise<Inspection[]> {
    const docs: Inspection[] = [];
    for (let startkey = 'inspection:'; ;) {
      const { rows } = await db.allDocs<Inspection>({
        include_docs: true,
        startkey,
        endkey: 'inspection:\uffff',
        limit: 200,
        skip: docs.length ? 1 : 0,
      });
      if (!rows.length) return docs;
      docs.push(...rows.map((row) => row.doc!));
      startkey = rows.at(-1)!.id;
    }
  }

  it('migrates 10,000 unsynced records; stopped halfway, it resumes after a reload where it stopped, each migrated once', async () => {
    await seedOld(10_000);
    await ledger.attach(db);
    expect(ledger.pendingCount()).toBe(10_000);

    const writer = TestBed.inject(DocWriterService);
    const saveAll = writer.saveAll.bind(writer);
    const stop = new AbortController();
    let batches = 0;
    spyOn(writer, 'saveAll').and.callFake(async (docs) => {
      const saved = await saveAll(docs);
      if (++batches === 50) stop.abort();
      return saved;
    });
    const first = await TestBed.inject(LocalMigrationService).run(db, stop.signal);
    // Fifty pages of 100.
    expect(first.migrated).toBe(5_000);
    const halfway = await inspections();
    expect(halfway.filter((doc) => doc.schema === 2).length).toBe(first.migrated);

    const pages = spyOn(db, 'allDocs').and.callThrough();
    const second = await reloadedService().run(db, new AbortController().signal);
    expect(second).toEqual({ migrated: 10_000 - first.migrated, leftAlone: 0 });
    // It went on after the last one it had looked at, not from the start.
    const [firstKey] = (pages.calls.first().args[0] as unknown as { keys: string[] }).keys;
    expect(firstKey > halfway[first.migrated - 1]._id).toBeTrue();

    const migrated = await inspections();
    expect(migrated.length).toBe(10_000);
    expect(migrated.every((doc) => doc.schema === 2 && doc.priority === 'normal' && doc._rev!.startsWith('2-'))).toBeTrue();

    // Done for this release: another login reads no page.
    pages.calls.reset();
    expect(await reloadedService().run(db, new AbortController().signal)).toEqual({ migrated: 0, leftAlone: 0 });
    expect(pages).not.toHaveBeenCalled();
  }, 300_000);

  it('migrates only what the server does not have, in place on top of the unsynced edit', async () => {
    const [edited, synced] = await seedOld(2);
    await ledger.attach(db);
    await ledger.pushCheckpoint((await db.info()).update_seq);
    expect(ledger.pendingCount()).toBe(0);
    // An edit made offline by the release before: not on the server yet.
    const old = await db.get<Inspection>(edited);
    const { rev: editRev } = await db.put({ ...old, title: 'Typed offline' });
    await ledger.attach(db);
    expect([...ledger.pendingIds()]).toEqual([edited]);

    expect(await TestBed.inject(LocalMigrationService).run(db, new AbortController().signal)).toEqual({ migrated: 1, leftAlone: 0 });

    const migrated = await db.get<Inspection>(edited, { revs: true });
    expect([migrated.title, migrated.priority, migrated.schema]).toEqual(['Typed offline', 'normal', 2]);
    expect(`2-${migrated._revisions!.ids[1]}`).toBe(editRev);
    // The server migrates its own copy (npm run migrate), which then comes down with the pull.
    const untouched = await db.get<Inspection>(synced);
    expect([untouched.schema, untouched.priority, untouched._rev.startsWith('1-')]).toEqual([undefined, undefined, true]);
  });

  it('reads only the unsynced records, not every document the tablet holds', async () => {
    await seedOld(300);
    await ledger.attach(db);
    await ledger.pushCheckpoint((await db.info()).update_seq);
    const [unsynced] = await seedOld(1);
    await ledger.attach(db);
    const reads = spyOn(db, 'allDocs').and.callThrough();

    expect(await TestBed.inject(LocalMigrationService).run(db, new AbortController().signal)).toEqual({ migrated: 1, leftAlone: 0 });
    const read = reads.calls
      .all()
      .flatMap((call) => (call.args[0] as unknown as { keys?: string[] }).keys ?? ['(a page of every document)']);
    expect(read).toEqual([unsynced]);
  });

  it('leaves a record the rules keep read-only for the server to migrate, and goes on', async () => {
    const [submitted] = await seedOld(1, { status: 'submitted', checklist: [checklistItem('c1', 'pass', 'Valves')] });
    const [draft] = await seedOld(1);
    await ledger.attach(db);

    expect(await TestBed.inject(LocalMigrationService).run(db, new AbortController().signal)).toEqual({ migrated: 1, leftAlone: 1 });
    expect((await db.get<Inspection>(submitted)).schema).toBeUndefined();
    expect((await db.get<Inspection>(draft)).schema).toBe(2);
  });
});
