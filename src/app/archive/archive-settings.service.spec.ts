import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { apiErrorMessage } from '../core/api-error-message';
import { ArchiveSettingsService, SETTINGS_TIMEOUT_MS } from './archive-settings.service';

describe('ArchiveSettingsService', () => {
  beforeEach(() => {
    // The period this device read last time.
    localStorage.setItem('fieldbook.archiveDays', '45');
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  });

  afterEach(() => localStorage.removeItem('fieldbook.archiveDays'));

  it('goes on with the cached period when the server never answers (a stalled connection), so archiving does not hang', async () => {
    const settings = TestBed.inject(ArchiveSettingsService);
    jasmine.clock().install();
    const days = settings.refresh();
    try {
      TestBed.inject(HttpTestingController).expectOne('/api/settings');
      jasmine.clock().tick(SETTINGS_TIMEOUT_MS);
    } finally {
      jasmine.clock().uninstall();
    }

    expect(await days).toBe(45);
  });

  it('tells a read the server did not answer in time as a server that cannot be reached, in the app’s own words', async () => {
    const settings = TestBed.inject(ArchiveSettingsService);
    jasmine.clock().install();
    const read = settings.read().catch((error: unknown) => error);
    try {
      TestBed.inject(HttpTestingController).expectOne('/api/settings');
      jasmine.clock().tick(SETTINGS_TIMEOUT_MS);
    } finally {
      jasmine.clock().uninstall();
    }

    expect(apiErrorMessage(await read, 'The period could not be read')).toBe('The period could not be read: the server cannot be reached.');
    expect(settings.archiveDays()).toBe(45);
  });
});
