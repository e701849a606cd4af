import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { ATTACHMENT_SOURCE } from '../photos/attachment-url';
import { PhotoUnavailableError } from '../photos/photo-unavailable';
import { fakeServer } from '../testing/conflict-fixtures';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { ArchivedInspectionPage } from './archived-inspection.page';

describe('ArchivedInspectionPage', () => {
  beforeEach(() => {
    // The server database is out of reach (provideTestData).
    TestBed.configureTestingModule({ providers: [...provideTestData(fakeSessions()), provideRouter([])] });
  });

  it('says the server cannot be reached, not the browser’s own words for a failed request', async () => {
    const fixture = TestBed.createComponent(ArchivedInspectionPage);
    fixture.componentRef.setInput('id', 'inspection:00000000-0000-4000-8000-000000000001');
    const error = () => {
      fixture.detectChanges();
      return (fixture.nativeElement as HTMLElement).querySelector('[data-testid="archived-error"]')?.textContent?.trim() ?? '';
    };

    await waitFor(() => !!error(), 'the error');

    expect(error()).toContain('The archived inspection could not be read from the server: the server cannot be reached.');
    expect(error()).not.toContain('Failed to fetch');
    fixture.destroy();
  });

  it('says why a photo of the archived inspection cannot be shown, as the photo viewer says it for any other', async () => {
    const servers = fakeServer(uniqueDbPrefix());
    TestBed.overrideProvider(REMOTE_DB_FACTORY, { useValue: servers.open });
    const server = servers.open(ANA.db);
    const photo = await server.put({ _id: 'photo:removed', _attachments: { full: { content_type: 'image/jpeg', data: btoa('jpeg') } } });
    await server.remove(photo.id, photo.rev);
    const fixture = TestBed.createComponent(ArchivedInspectionPage);
    fixture.componentRef.setInput('id', 'inspection:00000000-0000-4000-8000-000000000001');
    const read = fixture.debugElement.injector.get(ATTACHMENT_SOURCE);

    await expectAsync(read('photo:removed', 'full')).toBeRejectedWith(new PhotoUnavailableError('deleted'));
    await expectAsync(read('photo:never-synced', 'full')).toBeRejectedWith(new PhotoUnavailableError('missing'));
    fixture.destroy();
    await servers.destroy();
  });
});
