import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { Inspection } from '../../../domain/doc-types';
import { migrateDoc } from '../../../domain/schema-versions';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { DocWriterService } from '../data/doc-writer.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { waitFor } from '../testing/test-support';
import { EditNoticesComponent } from './edit-notices.component';
import { EditableDoc } from './editable-doc';
import { FieldErrorComponent } from './field-error.component';

/** A detail page with one field, as the inspection and defect pages use EditableDoc. */
@Component({
  imports: [ReactiveFormsModule, EditNoticesComponent, FieldErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (editable.missing()) {
      <p data-testid="missing">Gone</p>
    }
    <app-edit-notices [doc]="editable" />
    <input data-testid="title" [formControl]="title" />
    <app-field-error field="title" [errors]="editable.errors()" />
    <app-field-error field="site" [errors]="editable.errors()" />
  `,
})
class TitlePage {
  private readonly store = inject(InspectionStoreService);
  readonly id = input<string>();
  readonly title = new FormControl('', { nonNullable: true });
  readonly editable = new EditableDoc<Inspection>({
    id: this.id,
    load: (id) => this.store.get(id),
    edited: () => this.title.dirty,
    show: (doc) => this.title.reset(doc.title),
    typed: () => this.title.value,
    noun: 'inspection',
  });

  save(): Promise<boolean> {
    const doc = this.editable.doc()!;
    return this.editable.save(() => this.store.update(doc, { title: this.title.value }));
  }
}

describe('EditableDoc', () => {
  let db: Database;
  let store: InspectionStoreService;
  let inspection: Inspection;
  let fixture: ComponentFixture<TitlePage>;

  beforeEach(async () => {
    db = await openTrackedDb();
    store = TestBed.inject(InspectionStoreService);
    inspection = await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
  });

  afterEach(async () => {
    fixture?.destroy();
    await endSyncTracking(db);
  });

  const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
  const title = () => one('title') as HTMLInputElement;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  async function open(id = inspection._id): Promise<void> {
    fixture = TestBed.createComponent(TitlePage);
    fixture.componentRef.setInput('id', id);
    await until(
      () => fixture.componentInstance.editable.doc() !== null || fixture.componentInstance.editable.missing(),
      'the document read',
    );
  }

  function type(value: string): void {
    title().value = value;
    title().dispatchEvent(new Event('input'));
  }

  /** Another tab or a pull writes a new revision. */
  async function changeElsewhere(changes: Partial<Inspection>): Promise<void> {
    const current = await db.get<Inspection>(inspection._id);
    await db.put({ ...current, ...changes });
  }

  it('shows the document and reloads it when it changes elsewhere while unedited', async () => {
    await open();
    expect(title().value).toBe('Roof');
    await changeElsewhere({ title: 'Roof (from the office)' });
    await until(() => title().value === 'Roof (from the office)', 'the new version shown');
    expect(one('changed-elsewhere')).toBeNull();
  });

  it('keeps what the user typed when the document changes elsewhere, says so, and reloads on request', async () => {
    await open();
    type('Roof and gutters');
    await changeElsewhere({ title: 'Roof (from the office)' });
    await until(() => !!one('changed-elsewhere'), 'the changed-elsewhere notice');
    expect(one('changed-elsewhere')!.textContent).toContain('This inspection was changed elsewhere');
    expect(title().value).toBe('Roof and gutters');

    (one('reload-doc') as HTMLButtonElement).click();
    await until(() => title().value === 'Roof (from the office)', 'the other version after reload');
    expect(one('changed-elsewhere')).toBeNull();
  });

  it('keeps what is typed while a save runs, on the revision the save wrote', async () => {
    await open();
    type('Roof and gutters');
    const { editable } = fixture.componentInstance;
    const shown = editable.doc()!;
    const saved = await editable.save(async () => {
      const written = await store.update(shown, { title: 'Roof and gutters' });
      type('Roof and gutters, north side');
      return written;
    });
    expect(saved).toBeTrue();
    const stored = await db.get<Inspection>(inspection._id);
    expect(stored.title).toBe('Roof and gutters');
    expect(title().value).toBe('Roof and gutters, north side');
    expect(fixture.componentInstance.title.dirty).toBeTrue();
    expect(editable.doc()!._rev).toBe(stored._rev);
    expect(editable.changedElsewhere()).toBeFalse();

    // The next save goes onto that revision: no conflict, and the form shows what is stored.
    expect(await fixture.componentInstance.save()).toBeTrue();
    expect((await db.get<Inspection>(inspection._id)).title).toBe('Roof and gutters, north side');
    expect(fixture.componentInstance.title.dirty).toBeFalse();
  });

  const migrations: [string, (old: Inspection) => Promise<unknown>][] = [
    ['on the server, pulled', (old) => db.put(migrateDoc(old))],
    ['in the background here, saved and stamped as the user', (old) => TestBed.inject(DocWriterService).saveAll([old])],
  ];
  for (const [where, migrate] of migrations)
    it(`takes the revision a schema migration wrote ${where} as the one shown, not as a change elsewhere`, async () => {
      // Stored by an older release on another tablet: no schema version, no priority.
      const { schema, priority, ...older } = await db.get<Inspection>(inspection._id);
      expect([schema, priority]).toEqual([2, 'normal']);
      await db.put({ ...older, updatedAt: '2026-01-05T08:00:00.000Z', deviceId: 'tablet-b' });
      await open();
      type('Roof and gutters');
      await migrate(await db.get<Inspection>(inspection._id));
      const { _rev: migrated } = await db.get<Inspection>(inspection._id);

      const { editable } = fixture.componentInstance;
      await until(() => editable.doc()!._rev === migrated, 'the migrated revision taken as the one shown');
      expect(editable.changedElsewhere()).toBeFalse();
      expect(title().value).toBe('Roof and gutters');
      expect(await fixture.componentInstance.save()).toBeTrue();
      expect((await db.get<Inspection>(inspection._id)).title).toBe('Roof and gutters');
    });

  it('turns a save that meets a 409 into a message and keeps the typed values', async () => {
    await open();
    type('Roof and gutters');
    await changeElsewhere({ site: 'Depot 5' });
    await until(() => !!one('changed-elsewhere'), 'the changed-elsewhere notice');

    expect(await fixture.componentInstance.save()).toBeFalse();
    await fixture.whenStable();
    expect(one('save-failure')!.textContent).toContain('was changed elsewhere, so your changes were not saved');
    expect(title().value).toBe('Roof and gutters');
    expect((await db.get<Inspection>(inspection._id)).title).toBe('Roof');
  });

  it('saves, shows what was stored and clears the refusal of the last attempt', async () => {
    await open();
    type('');
    expect(await fixture.componentInstance.save()).toBeFalse();
    await until(() => !!one('error-title'), "the rules' refusal next to the field");
    expect(one('error-title')!.textContent).toContain('is required');

    type('Roof and gutters');
    expect(await fixture.componentInstance.save()).toBeTrue();
    await until(() => !one('error-title'), 'the refusal cleared');
    expect((await db.get<Inspection>(inspection._id)).title).toBe('Roof and gutters');
    expect(fixture.componentInstance.title.dirty).toBeFalse();
  });

  it("shows the server's refusal of the revision shown next to the field it names", async () => {
    await TestBed.inject(PushLedgerService).rejected(inspection._id, 'site: is not a known site');
    await open();
    await until(() => !!one('error-site'), 'the refusal next to the field');
    expect(one('error-site')!.textContent).toContain('is not a known site');
    expect(fixture.componentInstance.editable.rejection()?.reason).toBe('site: is not a known site');
  });

  it('says when the document does not exist, or was deleted while unedited', async () => {
    await open();
    await db.remove(inspection._id, (await db.get(inspection._id))._rev);
    await until(() => !!one('missing'), 'the deletion noticed');
  });
});
