import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { SessionService } from '../core/session.service';
import { workspaceGuard } from '../core/workspace.guard';
import { WorkspaceService } from '../core/workspace.service';
import { ANA, fakeSessions, waitFor } from '../testing/test-support';
import { LoginPage } from './login.page';
import { returnPath } from './return-path';

@Component({ template: 'the inspection' })
class InspectionStub {}

const LINK = '/inspections/inspection:0b9c7a4e-1111-4222-8333-444455556666';

describe('a link opened while logged out', () => {
  it('is where the user goes once logged in', async () => {
    const sessions = fakeSessions(null);
    sessions.login.and.callFake(async () => (sessions.set(ANA), ANA));
    const workspace = jasmine.createSpyObj<WorkspaceService>('WorkspaceService', ['open']);
    workspace.open.and.resolveTo();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'login', component: LoginPage },
          { path: 'inspections/:id', component: InspectionStub, canActivate: [workspaceGuard] },
        ]),
        { provide: SessionService, useValue: sessions },
        { provide: WorkspaceService, useValue: workspace },
      ],
    });
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(LINK);
    const router = TestBed.inject(Router);
    expect(router.parseUrl(router.url).queryParams).toEqual({ next: LINK });
    expect(router.url).toMatch(/^\/login\?/);

    const page = harness.routeNativeElement!;
    for (const [id, value] of [
      ['login-name', 'ana'],
      ['login-password', 'secret'],
    ]) {
      const input = page.querySelector(`[data-testid=${id}]`) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    (page.querySelector('[data-testid=login-submit]') as HTMLElement).click();
    await waitFor(() => router.url === LINK, 'the link');
    expect(harness.routeNativeElement!.textContent).toContain('the inspection');
  });

  it('only ever leads to a page of this app', () => {
    expect(returnPath(LINK)).toBe(LINK);
    expect(returnPath(null)).toBe('/inspections');
    for (const elsewhere of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/login']) {
      expect(returnPath(elsewhere)).withContext(elsewhere).toBe('/inspections');
    }
  });
});

describe('a local database that cannot be opened', () => {
  it('says so and offers to try again, instead of a blank page', async () => {
    const workspace = jasmine.createSpyObj<WorkspaceService>('WorkspaceService', ['open']);
    workspace.open.and.rejectWith(new DOMException('Internal error opening backing store for indexedDB.open.', 'UnknownError'));
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'inspections/:id', component: InspectionStub, canActivate: [workspaceGuard] }]),
        { provide: SessionService, useValue: fakeSessions() },
        { provide: WorkspaceService, useValue: workspace },
      ],
    });
    spyOn(console, 'error');
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(LINK);
    const notice = () => document.querySelector('.mat-mdc-snack-bar-container')?.textContent ?? '';
    await waitFor(() => notice().includes('could not be opened'), 'the notice');
    expect(notice()).toContain('Try again');
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = ''));
  });
});
