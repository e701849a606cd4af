import { TestBed } from '@angular/core/testing';
import { MAT_SNACK_BAR_DEFAULT_OPTIONS, MatSnackBar } from '@angular/material/snack-bar';
import { SNACK_BAR_DEFAULTS, appConfig } from './app.config';
import { waitFor } from './testing/test-support';

describe('Snack bars', () => {
  afterEach(() => document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = '')));

  it("open at the top, clear of the page's actions at the bottom", async () => {
    expect(appConfig.providers).toContain(
      jasmine.objectContaining({ provide: MAT_SNACK_BAR_DEFAULT_OPTIONS, useValue: SNACK_BAR_DEFAULTS }),
    );
    TestBed.configureTestingModule({ providers: [{ provide: MAT_SNACK_BAR_DEFAULT_OPTIONS, useValue: SNACK_BAR_DEFAULTS }] });
    TestBed.inject(MatSnackBar).open('An update is available.', 'Reload');
    await waitFor(() => !!document.querySelector('.mat-mdc-snack-bar-container'), 'the snack bar');
    const bar = document.querySelector('.mat-mdc-snack-bar-container')!.getBoundingClientRect();
    expect(bar.top).toBeLessThan(window.innerHeight / 2);
  });
});
