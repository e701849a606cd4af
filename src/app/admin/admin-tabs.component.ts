import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

/**
 * The admin's pages under one header link ("Admin"), as tabs: the header of a tablet has room
 * for one more link, not three.
 */
@Component({
  selector: 'app-admin-tabs',
  imports: [MatTabsModule, RouterLink, RouterLinkActive, RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav
      mat-tab-nav-bar
      mat-stretch-tabs="false"
      [tabPanel]="panel"
      class="tabs"
      i18n-aria-label="@@admin.tabs"
      aria-label="Administration"
    >
      @for (tab of tabs; track tab.path) {
        <a
          mat-tab-link
          [routerLink]="tab.path"
          routerLinkActive
          #active="routerLinkActive"
          [active]="active.isActive"
          [attr.data-testid]="tab.testId"
        >
          {{ tab.label }}
        </a>
      }
    </nav>
    <mat-tab-nav-panel #panel><router-outlet /></mat-tab-nav-panel>
  `,
  styles: `
    /* Level with the pages' own content (each is a 1100 px .page). */
    .tabs {
      max-width: 1100px;
      margin: 0 auto;
    }
  `,
})
export class AdminTabsComponent {
  protected readonly tabs = [
    { path: 'users', testId: 'admin-tab-users', label: $localize`:@@nav.users:Users` },
    { path: 'replications', testId: 'admin-tab-replications', label: $localize`:@@nav.replication:Replication` },
    { path: 'settings', testId: 'admin-tab-settings', label: $localize`:@@nav.settings:Settings` },
  ];
}
