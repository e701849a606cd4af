import { inject } from '@angular/core';
import { Router, Routes } from '@angular/router';
import { LoginPage } from './auth/login.page';
import { isAdminSession } from './core/session.model';
import { SessionService } from './core/session.service';
import { workspaceGuard } from './core/workspace.guard';
import { sayDraftKept } from './drafts/draft-kept.guard';
import { InspectionListPage } from './inspections/inspection-list.page';

const inspectionNewPage = () => import('./inspections/inspection-new.page').then((m) => m.InspectionNewPage);
const inspectionDetailPage = () => import('./inspections/inspection-detail.page').then((m) => m.InspectionDetailPage);
const defectEditPage = () => import('./defects/defect-edit.page').then((m) => m.DefectEditPage);

/** The admin pages; the proxy checks again on every admin call. */
const adminOnly = () => isAdminSession(inject(SessionService).session()) || inject(Router).parseUrl('/inspections');

export const routes: Routes = [
  { path: 'login', component: LoginPage, title: $localize`:@@title.login:Sign in · Fieldbook` },
  {
    path: '',
    canActivate: [workspaceGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'inspections' },
      { path: 'inspections', component: InspectionListPage, title: $localize`:@@title.inspections:Inspections · Fieldbook` },
      // The list is the landing page; the rest load on first use (the service worker
      // prefetches every chunk, so they open offline too).
      {
        path: 'inspections/new',
        loadComponent: inspectionNewPage,
        canDeactivate: [sayDraftKept],
        title: $localize`:@@title.newInspection:New inspection · Fieldbook`,
      },
      {
        path: 'inspections/:id',
        loadComponent: inspectionDetailPage,
        canDeactivate: [sayDraftKept],
        title: $localize`:@@title.inspection:Inspection · Fieldbook`,
      },
      {
        path: 'inspections/:id/defects/new',
        loadComponent: defectEditPage,
        canDeactivate: [sayDraftKept],
        title: $localize`:@@title.newDefect:New defect · Fieldbook`,
      },
      {
        path: 'inspections/:id/defects/:defectId',
        loadComponent: defectEditPage,
        canDeactivate: [sayDraftKept],
        title: $localize`:@@title.defect:Defect · Fieldbook`,
      },
      {
        path: 'archived/:id',
        loadComponent: () => import('./archive/archived-inspection.page').then((m) => m.ArchivedInspectionPage),
        title: $localize`:@@title.archived:Archived inspection · Fieldbook`,
      },
      {
        path: 'sync',
        loadComponent: () => import('./sync/sync-status.page').then((m) => m.SyncStatusPage),
        title: $localize`:@@title.sync:Sync · Fieldbook`,
      },
      {
        path: 'storage',
        loadComponent: () => import('./storage/storage.page').then((m) => m.StoragePage),
        title: $localize`:@@title.storage:Storage · Fieldbook`,
      },
      {
        path: 'supervisor',
        // Only sessions with a hub may work in it; the parent guard has already restored the session.
        canActivate: [() => !!inject(SessionService).session()?.hub || inject(Router).parseUrl('/inspections')],
        children: [
          {
            path: '',
            loadComponent: () => import('./supervisor/supervisor.page').then((m) => m.SupervisorPage),
            title: $localize`:@@title.supervisor:Supervisor · Fieldbook`,
          },
          {
            path: 'team',
            loadComponent: () => import('./supervisor/team.page').then((m) => m.TeamPage),
            title: $localize`:@@title.team:Team inspections · Fieldbook`,
          },
          {
            path: 'inspections/:id',
            loadComponent: () => import('./supervisor/review.page').then((m) => m.ReviewPage),
            title: $localize`:@@title.review:Review · Fieldbook`,
          },
        ],
      },
      {
        path: 'admin',
        canActivate: [adminOnly],
        loadComponent: () => import('./admin/admin-tabs.component').then((m) => m.AdminTabsComponent),
        children: [
          { path: '', pathMatch: 'full', redirectTo: 'users' },
          {
            path: 'users',
            loadComponent: () => import('./admin/users.page').then((m) => m.UsersPage),
            title: $localize`:@@title.users:Users · Fieldbook`,
          },
          {
            path: 'replications',
            loadComponent: () => import('./admin/replication-jobs.page').then((m) => m.ReplicationJobsPage),
            title: $localize`:@@title.replication:Replication jobs · Fieldbook`,
          },
          {
            path: 'settings',
            loadComponent: () => import('./admin/settings.page').then((m) => m.SettingsPage),
            title: $localize`:@@title.settings:Settings · Fieldbook`,
          },
        ],
      },
      {
        path: 'conflicts',
        loadComponent: () => import('./conflicts/conflict-inbox.page').then((m) => m.ConflictInboxPage),
        title: $localize`:@@title.conflicts:Conflicts · Fieldbook`,
      },
      {
        path: 'conflicts/:id',
        loadComponent: () => import('./conflicts/conflict-detail.page').then((m) => m.ConflictDetailPage),
        title: $localize`:@@title.conflict:Conflict · Fieldbook`,
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
