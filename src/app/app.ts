import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatMenuModule } from '@angular/material/menu';
import { MatToolbarModule } from '@angular/material/toolbar';
import { map } from 'rxjs';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { LogoutService } from './auth/logout.service';
import { SessionExpiryService } from './auth/session-expiry.service';
import { AutoResolverService } from './conflicts/auto-resolver.service';
import { ArchiveService } from './archive/archive.service';
import { UnassignmentService } from './archive/unassignment.service';
import { isAdminSession } from './core/session.model';
import { SessionService } from './core/session.service';
import { ConflictIndexService } from './core/conflict-index.service';
import { WorkspaceService } from './core/workspace.service';
import { UpdatePromptService } from './pwa/update-prompt.service';
import { StorageWarningComponent } from './storage/storage-warning.component';
import { StorageWarningService } from './storage/storage-warning.service';
import { SyncIndicatorComponent } from './sync/sync-indicator.component';

/**
 * Below this width (a tablet in portrait) the navigation folds into a menu, so the sync chip,
 * the user's name and Log out stay on screen for every role.
 */
export const NARROW_HEADER = '(max-width: 1199.98px)';

/**
 * The shell: toolbar with navigation, sync state and logout around the routed page. Touch
 * first: every control is at least 48 px tall, and nothing makes the page scroll sideways.
 */
@Component({
  selector: 'app-root',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatToolbarModule,
    MatButtonModule,
    MatMenuModule,
    StorageWarningComponent,
    SyncIndicatorComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="toolbar">
      <a class="brand" routerLink="/inspections" i18n="@@app.name">Fieldbook</a>
      @if (loggedIn() && narrow()) {
        <button
          mat-button
          class="on-primary menu-button"
          type="button"
          data-testid="nav-menu"
          [matMenuTriggerFor]="navMenu"
          [attr.aria-label]="menuLabel()"
        >
          <span aria-hidden="true" class="menu-glyph">☰</span> <ng-container i18n="@@nav.menu">Menu</ng-container>
          @if (conflictCount()) {
            <span class="count" data-testid="menu-conflict-badge">{{ conflictCount() }}</span>
          }
        </button>
        <mat-menu #navMenu="matMenu">
          <a mat-menu-item routerLink="/inspections" routerLinkActive="active" data-testid="nav-inspections" i18n="@@nav.inspections"
            >Inspections</a
          >
          <a mat-menu-item routerLink="/sync" routerLinkActive="active" i18n="@@nav.sync">Sync</a>
          @if (isSupervisor()) {
            <a mat-menu-item routerLink="/supervisor" routerLinkActive="active" data-testid="nav-supervisor" i18n="@@nav.supervisor"
              >Supervisor</a
            >
          }
          @if (isAdmin()) {
            <a mat-menu-item routerLink="/admin" routerLinkActive="active" data-testid="nav-admin" i18n="@@nav.admin">Admin</a>
          }
          <a mat-menu-item routerLink="/conflicts" routerLinkActive="active" data-testid="nav-conflicts">
            <ng-container i18n="@@nav.conflicts">Conflicts</ng-container>
            @if (conflictCount()) {
              <span class="count" data-testid="conflict-badge">{{ conflictCount() }}</span>
            }
          </a>
        </mat-menu>
      }
      @if (loggedIn()) {
        @if (!narrow()) {
          <nav>
            <a
              mat-button
              class="on-primary"
              routerLink="/inspections"
              routerLinkActive="active"
              data-testid="nav-inspections"
              i18n="@@nav.inspections"
              >Inspections</a
            >
            <a mat-button class="on-primary" routerLink="/sync" routerLinkActive="active" i18n="@@nav.sync">Sync</a>
            @if (isSupervisor()) {
              <a
                mat-button
                class="on-primary"
                routerLink="/supervisor"
                routerLinkActive="active"
                data-testid="nav-supervisor"
                i18n="@@nav.supervisor"
                >Supervisor</a
              >
            }
            @if (isAdmin()) {
              <a mat-button class="on-primary" routerLink="/admin" routerLinkActive="active" data-testid="nav-admin" i18n="@@nav.admin"
                >Admin</a
              >
            }
            <a mat-button class="on-primary" routerLink="/conflicts" routerLinkActive="active" data-testid="nav-conflicts">
              <ng-container i18n="@@nav.conflicts">Conflicts</ng-container>
              @if (conflictCount()) {
                <span class="count" data-testid="conflict-badge">{{ conflictCount() }}</span>
              }
            </a>
          </nav>
        }
        <span class="spacer"></span>
        @if (updateReady()) {
          <button mat-button class="on-primary" type="button" data-testid="update-reload" (click)="updates.reload()">
            <ng-container i18n="@@update.toolbar">Update</ng-container>
          </button>
        }
        <app-sync-indicator />
        <span class="user" data-testid="user-name" [attr.title]="userName()">{{ userName() }}</span>
        <button mat-button class="on-primary" type="button" data-testid="logout" (click)="logout()" i18n="@@nav.logout">Log out</button>
      }
    </mat-toolbar>
    @if (loggedIn()) {
      <app-storage-warning />
    }
    <main><router-outlet /></main>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      min-height: 100vh;
    }
    .toolbar {
      position: sticky;
      top: 0;
      z-index: 10;
      gap: 8px;
      background: var(--mat-sys-primary);
      color: var(--mat-sys-on-primary);
    }
    .toolbar .on-primary {
      color: var(--mat-sys-on-primary);
      min-height: 48px;
    }
    nav {
      display: flex;
      flex-wrap: nowrap;
      white-space: nowrap;
    }
    .brand {
      color: inherit;
      text-decoration: none;
      font-weight: 600;
      margin-right: 8px;
      min-height: 48px;
      display: inline-flex;
      align-items: center;
    }
    .menu-glyph {
      font-size: 20px;
      margin-right: 4px;
    }
    .spacer {
      flex: 1 1 0;
      min-width: 0;
    }
    .user {
      font-size: 14px;
      opacity: 0.85;
      min-width: 0;
      max-width: 12em;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .toolbar button[data-testid='logout'] {
      flex: none;
    }
    .active {
      text-decoration: underline;
    }
    .count {
      display: inline-block;
      min-width: 20px;
      padding: 0 6px;
      margin-left: 4px;
      border-radius: 10px;
      font-size: 12px;
      line-height: 20px;
      background: var(--mat-sys-error, #b3261e);
      color: var(--mat-sys-on-error, #fff);
    }
    main {
      flex: 1;
    }
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
  protected readonly updates = inject(UpdatePromptService);
  protected readonly updateReady = this.updates.ready;
  protected readonly menuLabel = computed(() => {
    const conflicts = this.conflictCount();
    return conflicts ? $localize`:@@nav.menuWithConflicts:Menu, conflicts: ${conflicts}:count:` : $localize`:@@nav.menu:Menu`;
  });
  /** A tablet in portrait or narrower: navigation in a menu (NARROW_HEADER). */
  private readonly breakpoints = inject(BreakpointObserver);
  protected readonly narrow = toSignal(this.breakpoints.observe(NARROW_HEADER).pipe(map((state) => state.matches)), {
    initialValue: this.breakpoints.isMatched(NARROW_HEADER),
  });

  constructor() {
    inject(SessionExpiryService).watch();
    this.updates.watch();
    inject(AutoResolverService).watch();
    inject(ArchiveService).watch();
    inject(UnassignmentService).watch();
    inject(StorageWarningService).watch();
    void this.sessions.ready().then(() => this.restored.set(true));
    // Follow session changes made elsewhere (another tab logged out or in as someone else).
    let shownFor: string | null = null;
    effect(() => {
      const session = this.sessions.session();
      if (!this.restored()) return;
      untracked(() => {
        void this.workspace.sync();
        if (!session && !this.router.url.startsWith('/login')) void this.router.navigateByUrl('/login');
        // A background tab may never see the logout between two users (its timers wait): the
        // page on screen holds the last user's records, and is left for the new user's list.
        else if (session && shownFor !== null && session.name !== shownFor) void this.router.navigateByUrl('/');
        shownFor = session?.name ?? null;
      });
    });
  }

  protected logout(): void {
    void this.logouts.logout();
  }
}
