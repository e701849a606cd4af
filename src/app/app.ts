import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { LogoutService } from './auth/logout.service';
import { SessionExpiryService } from './auth/session-expiry.service';
import { AutoResolverService } from './conflicts/auto-resolver.service';
import { isAdminSession } from './core/session.model';
import { SessionService } from './core/session.service';
import { ConflictIndexService } from './core/conflict-index.service';
import { WorkspaceService } from './core/workspace.service';
import { UpdatePromptService } from './pwa/update-prompt.service';
import { SyncIndicatorComponent } from './sync/sync-indicator.component';

/** The shell: toolbar with navigation, sync state and logout around the routed page. */
@Component({
  selector: 'app-root',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule, SyncIndicatorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="toolbar">
      <a class="brand" routerLink="/inspections">Fieldbook</a>
      @if (loggedIn()) {
        <nav>
          <a mat-button class="on-primary" routerLink="/inspections" routerLinkActive="active" data-testid="nav-inspections">Inspections</a>
          <a mat-button class="on-primary" routerLink="/sync" routerLinkActive="active">Sync</a>
          @if (isSupervisor()) {
            <a mat-button class="on-primary" routerLink="/supervisor" routerLinkActive="active" data-testid="nav-supervisor">Supervisor</a>
          }
          @if (isAdmin()) {
            <a mat-button class="on-primary" routerLink="/admin/replications" routerLinkActive="active" data-testid="nav-admin">Replication</a>
          }
          <a mat-button class="on-primary" routerLink="/conflicts" routerLinkActive="active" data-testid="nav-conflicts">
            Conflicts
            @if (conflictCount()) {
              <span class="count" data-testid="conflict-badge">{{ conflictCount() }}</span>
            }
          </a>
        </nav>
        <span class="spacer"></span>
        <app-sync-indicator />
        <span class="user">{{ userName() }}</span>
        <button mat-button class="on-primary" type="button" data-testid="logout" (click)="logout()">Log out</button>
      }
    </mat-toolbar>
    <main><router-outlet /></main>
  `,
  styles: `
    :host { display: flex; flex-direction: column; min-height: 100vh; }
    .toolbar { position: sticky; top: 0; z-index: 10; gap: 8px; background: var(--mat-sys-primary); color: var(--mat-sys-on-primary); }
    .toolbar .on-primary { color: var(--mat-sys-on-primary); }
    .brand { color: inherit; text-decoration: none; font-weight: 600; margin-right: 16px; }
    .spacer { flex: 1; }
    .user { font-size: 14px; opacity: 0.85; }
    .active { text-decoration: underline; }
    .count { display: inline-block; min-width: 20px; padding: 0 6px; margin-left: 4px; border-radius: 10px; font-size: 12px;
      line-height: 20px; background: var(--mat-sys-error, #b3261e); color: var(--mat-sys-on-error, #fff); }
    main { flex: 1; }
  `,
})
export class App {
  private readonly sessions = inject(SessionService);
  private readonly workspace = inject(WorkspaceService);
  private readonly logouts = inject(LogoutService);
  private readonly router = inject(Router);
  private readonly restored = signal(false);

  protected readonly userName = computed(() => this.sessions.session()?.name ?? '');
  protected readonly loggedIn = computed(() => !!this.sessions.session());
  /** The proxy names a hub only for supervisors and admins. */
  protected readonly isSupervisor = computed(() => !!this.sessions.session()?.hub);
  protected readonly isAdmin = computed(() => isAdminSession(this.sessions.session()));
  protected readonly conflictCount = inject(ConflictIndexService).conflictCount;

  constructor() {
    inject(SessionExpiryService).watch();
    inject(UpdatePromptService).watch();
    inject(AutoResolverService).watch();
    void this.sessions.ready().then(() => this.restored.set(true));
    // Follow session changes made elsewhere (another tab logged out or in as someone else).
    effect(() => {
      const session = this.sessions.session();
      if (!this.restored()) return;
      untracked(() => {
        void this.workspace.sync();
        if (!session && !this.router.url.startsWith('/login')) void this.router.navigateByUrl('/login');
      });
    });
  }

  protected logout(): void {
    void this.logouts.logout();
  }
}
