import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { fakeSessions, provideTestData, waitFor } from '../testing/test-support';
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
});
