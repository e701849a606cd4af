import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { BehaviorSubject } from 'rxjs';
import { signal } from '@angular/core';
import { InitialPullProgress, InitialPullService } from '../core/initial-pull.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { ReplicationService } from '../core/replication.service';
import { SyncState, SyncStatus } from '../core/sync-state';
import { SyncIndicatorComponent } from './sync-indicator.component';

describe('SyncIndicatorComponent', () => {
  const status = signal<SyncStatus>({ state: 'offline', sessionExpired: false, lastError: null, lastSyncedAt: null });
  const progress = signal<InitialPullProgress | null>(null);
  const pendingCount = signal(0);

  beforeEach(() => {
    progress.set(null);
    pendingCount.set(0);
    TestBed.configureTestingModule({
      imports: [SyncIndicatorComponent],
      providers: [
        provideRouter([]),
        { provide: ReplicationService, useValue: { syncStatus: status, status$: new BehaviorSubject(status()) } },
        { provide: InitialPullService, useValue: { progress } },
        { provide: PushLedgerService, useValue: { pendingCount } },
      ],
    });
  });

  async function render(state: SyncState, sessionExpired = false): Promise<HTMLElement> {
    status.set({ state, sessionExpired, lastError: null, lastSyncedAt: null });
    const fixture = TestBed.createComponent(SyncIndicatorComponent);
    await fixture.whenStable();
    return fixture.nativeElement.querySelector('[data-testid=sync-state]');
  }

  const words = ['offline', 'connecting', 'syncing', 'up to date', 'error'];

  for (const [state, word] of [
    ['offline', 'offline'],
    ['connecting', 'connecting'],
    ['syncing', 'syncing'],
    ['paused', 'up to date'],
    ['error', 'error'],
  ] as const) {
    it(`shows "${word}" and data-state=${state}, and no other state word`, async () => {
      const element = await render(state);
      expect(element.getAttribute('data-state')).toBe(state);
      const text = element.textContent ?? '';
      expect(words.filter((w) => text.includes(w))).toEqual([word]);
    });
  }

  it('says the session expired without adding another state word', async () => {
    const element = await render('error', true);
    const text = element.textContent ?? '';
    expect(text).toContain('session expired');
    expect(words.filter((w) => text.includes(w))).toEqual(['error']);
  });

  it('explains the last problem in its tooltip', async () => {
    status.set({ state: 'offline', sessionExpired: false, lastError: 'The server cannot be reached.', lastSyncedAt: null });
    const fixture = TestBed.createComponent(SyncIndicatorComponent);
    await fixture.whenStable();
    const chip: HTMLElement = fixture.nativeElement.querySelector('[data-testid=sync-state]');
    expect(chip.getAttribute('title')).toBe('The server cannot be reached.');
    status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: null });
    await fixture.whenStable();
    expect(chip.hasAttribute('title')).toBeFalse();
  });

  it('follows state changes', async () => {
    status.set({ state: 'syncing', sessionExpired: false, lastError: null, lastSyncedAt: null });
    const fixture = TestBed.createComponent(SyncIndicatorComponent);
    await fixture.whenStable();
    status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: null });
    await fixture.whenStable();
    expect(fixture.nativeElement.querySelector('[data-testid=sync-state]').getAttribute('data-state')).toBe('paused');
  });

  it('counts the documents of a first pull while it runs', async () => {
    progress.set({ pulled: 2500, total: 10000 });
    const element = await render('syncing');
    expect(element.querySelector('[data-testid=sync-progress]')?.textContent).toBe('2,500 of 10,000');
    expect(element.textContent).toContain('syncing');
  });

  describe('on a clock', () => {
    beforeEach(() => jasmine.clock().install());
    afterEach(() => jasmine.clock().uninstall());

    const lastSynced = (fixture: { nativeElement: HTMLElement }) =>
      fixture.nativeElement.querySelector('[data-testid=sync-last-synced]')?.textContent ?? '';
    const timeOf = (at: Date) => at.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });

    it('says when it was last up to date: the time alone for today', () => {
      jasmine.clock().mockDate(new Date(2026, 2, 1, 18, 0));
      const afternoon = new Date(2026, 2, 1, 14, 5);
      status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: afternoon.toISOString() });
      const fixture = TestBed.createComponent(SyncIndicatorComponent);
      fixture.detectChanges();
      expect(lastSynced(fixture)).toBe(timeOf(afternoon));
      status.set({ state: 'offline', sessionExpired: false, lastError: null, lastSyncedAt: afternoon.toISOString() });
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('[data-testid=sync-last-synced]')).toBeNull();
    });

    it('names the day of a last sync before today, not only its time', () => {
      jasmine.clock().mockDate(new Date(2026, 2, 2, 8, 30));
      const yesterday = new Date(2026, 2, 1, 16, 5);
      status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: yesterday.toISOString() });
      const fixture = TestBed.createComponent(SyncIndicatorComponent);
      fixture.detectChanges();
      expect(lastSynced(fixture)).toContain('Mar 1');
      expect(lastSynced(fixture)).toContain(timeOf(yesterday));
    });

    it('names the day of a sync of today once midnight has passed', () => {
      jasmine.clock().mockDate(new Date(2026, 2, 1, 23, 58));
      const evening = new Date(2026, 2, 1, 16, 5);
      status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: evening.toISOString() });
      const fixture = TestBed.createComponent(SyncIndicatorComponent);
      fixture.detectChanges();
      expect(lastSynced(fixture)).toBe(timeOf(evening));

      jasmine.clock().tick(3 * 60_000);
      fixture.detectChanges();
      expect(lastSynced(fixture)).toContain('Mar 1');
      expect(lastSynced(fixture)).toContain(timeOf(evening));
    });
  });

  it('says "Checking for updates…" while a first pull has nothing to count yet, never "0 of 0"', async () => {
    progress.set({ pulled: 0, total: 0 });
    const element = await render('syncing');
    expect(element.querySelector('[data-testid=sync-checking]')?.textContent).toBe('Checking for updates…');
    expect(element.querySelector('[data-testid=sync-progress]')).toBeNull();
    expect(element.textContent).not.toContain(' of ');
  });

  it('counts the local edits waiting to sync, offline and up to date alike, and hides the count when there are none', async () => {
    pendingCount.set(3);
    const element = await render('offline');
    expect(element.querySelector('[data-testid=sync-pending]')?.textContent).toBe('3 pending');
    expect(element.textContent).toContain('offline');
    status.set({ state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: '2026-03-01T14:05:00.000Z' });
    pendingCount.set(1250);
    const fixture = TestBed.createComponent(SyncIndicatorComponent);
    await fixture.whenStable();
    const chip: HTMLElement = fixture.nativeElement.querySelector('[data-testid=sync-state]');
    expect(chip.querySelector('[data-testid=sync-pending]')?.textContent).toBe('1,250 pending');
    expect(chip.querySelector('[data-testid=sync-last-synced]')).not.toBeNull();
    pendingCount.set(0);
    await fixture.whenStable();
    expect(chip.querySelector('[data-testid=sync-pending]')).toBeNull();
  });

  it('gives way in a full header: the detail ends in an ellipsis, the state word and the pending count stay whole', async () => {
    progress.set({ pulled: 0, total: 0 });
    pendingCount.set(2);
    const fixture = TestBed.createComponent(SyncIndicatorComponent);
    const host: HTMLElement = fixture.nativeElement;
    // A toolbar with 260 px left for the chip: room for the dot, "syncing" and "2 pending", not for all of the detail.
    const header = document.createElement('div');
    header.style.cssText = 'display: flex; width: 260px';
    header.append(host);
    document.body.append(header);
    try {
      status.set({ state: 'syncing', sessionExpired: false, lastError: null, lastSyncedAt: null });
      await fixture.whenStable();
      const chip = host.querySelector('[data-testid=sync-state]') as HTMLElement;
      const detail = chip.querySelector('[data-testid=sync-checking]') as HTMLElement;
      const pending = chip.querySelector('[data-testid=sync-pending]') as HTMLElement;
      expect(host.getBoundingClientRect().width).toBeLessThanOrEqual(260);
      expect(chip.scrollWidth).toBeLessThanOrEqual(chip.clientWidth);
      expect(detail.clientWidth).toBeGreaterThan(0);
      expect(detail.scrollWidth).toBeGreaterThan(detail.clientWidth);
      expect(getComputedStyle(detail).textOverflow).toBe('ellipsis');
      expect(pending.scrollWidth).toBeLessThanOrEqual(pending.clientWidth);
      expect(pending.getBoundingClientRect().right).toBeLessThanOrEqual(chip.getBoundingClientRect().right);
    } finally {
      header.remove();
    }
  });
});
