import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LocalDbService } from '../core/local-db.service';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { ArchiveCardComponent } from './archive-card.component';
import { ArchiveSettingsService } from './archive-settings.service';

describe('ArchiveCardComponent', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions()),
        { provide: ArchiveSettingsService, useValue: { refresh: () => Promise.resolve(30), archiveDays: signal(30) } },
      ],
    });
  });

  afterEach(async () => {
    await TestBed.inject(LocalDbService).destroy();
  });

  it('says archiving stopped when it failed, not that there was nothing to archive', async () => {
    const db = await TestBed.inject(LocalDbService).open(ANA.db);
    spyOn(db, 'find').and.rejectWith(new Error('The database connection is closing.'));
    const fixture = TestBed.createComponent(ArchiveCardComponent);
    const el = (id: string) => {
      fixture.detectChanges();
      return (fixture.nativeElement as HTMLElement).querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
    };

    el('archive-now')!.click();
    await waitFor(() => !!el('archive-result'), 'the result');

    expect(el('archive-result')!.textContent!.trim()).toBe(
      'Archiving stopped on an error. It is tried again the next time sync is up to date.',
    );
    fixture.destroy();
  });
});
