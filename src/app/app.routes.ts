import { inject } from '@angular/core';
import { Router, Routes } from '@angular/router';
import { LoginPage } from './auth/login.page';
import { SessionService } from './core/session.service';
import { workspaceGuard } from './core/workspace.guard';
import { DefectEditPage } from './defects/defect-edit.page';
import { InspectionDetailPage } from './inspections/inspection-detail.page';
import { InspectionListPage } from './inspections/inspection-list.page';
import { InspectionNewPage } from './inspections/inspection-new.page';
import { SyncStatusPage } from './sync/sync-status.page';

export const routes: Routes = [
  { path: 'login', component: LoginPage, title: 'Sign in · Fieldbook' },
  {
    path: '',
    canActivate: [workspaceGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'inspections' },
      { path: 'inspections', component: InspectionListPage, title: 'Inspections · Fieldbook' },
      { path: 'inspections/new', component: InspectionNewPage, title: 'New inspection · Fieldbook' },
      { path: 'inspections/:id', component: InspectionDetailPage, title: 'Inspection · Fieldbook' },
      { path: 'inspections/:id/defects/new', component: DefectEditPage, title: 'New defect · Fieldbook' },
      { path: 'inspections/:id/defects/:defectId', component: DefectEditPage, title: 'Defect · Fieldbook' },
      { path: 'sync', component: SyncStatusPage, title: 'Sync · Fieldbook' },
      {
        path: 'supervisor',
        // Only sessions with a hub may work in it; the parent guard has already restored the session.
        canActivate: [() => !!inject(SessionService).session()?.hub || inject(Router).parseUrl('/inspections')],
        loadComponent: () => import('./supervisor/supervisor.page').then((m) => m.SupervisorPage),
        title: 'Supervisor · Fieldbook',
      },
      {
        path: 'conflicts',
        loadComponent: () => import('./conflicts/conflict-inbox.page').then((m) => m.ConflictInboxPage),
        title: 'Conflicts · Fieldbook',
      },
      {
        path: 'conflicts/:id',
        loadComponent: () => import('./conflicts/conflict-detail.page').then((m) => m.ConflictDetailPage),
        title: 'Conflict · Fieldbook',
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
