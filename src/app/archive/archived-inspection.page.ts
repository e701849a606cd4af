import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { apiErrorMessage } from '../core/api-error-message';
import { Database } from '../core/pouchdb';
import { ReachabilityService } from '../core/reachability.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DefectWithPhotos, InspectionSheetComponent } from '../inspections/inspection-sheet.component';
import { INSPECTION_STATUS_LABELS } from '../inspections/inspection-status';
import { downloadAttachment } from '../photos/attachment-download';
import { ATTACHMENT_SOURCE, AttachmentReader } from '../photos/attachment-url';
import { photoUnavailable } from '../photos/photo-unavailable';
import { AppDatePipe } from '../shared/date-format';
import { ArchiveIndexService } from './archive-index.service';

interface Loaded {
  inspection: Inspection;
  defects: DefectWithPhotos[];
}

/** The user's own database on the server, through the proxy: where archived inspections are read from. */
function serverDb(): () => Database {
  const sessions = inject(SessionService);
  const open = inject(REMOTE_DB_FACTORY);
  let opened: Database | null = null;
  return () => (opened ??= open(sessions.session()!.db));
}

/**
 * An archived inspection, opened on demand from the user's database on the server (nothing of it
 * is on the device any more), read-only: its basics, checklist, defects and their photos.
 * Offline it says so instead; the list's archive entry keeps its title and site.
 */
@Component({
  selector: 'app-archived-inspection-page',
  imports: [RouterLink, MatButtonModule, AppDatePipe, InspectionSheetComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 900px' },
  providers: [
    {
      provide: ATTACHMENT_SOURCE,
      useFactory: (): AttachmentReader => {
        const server = serverDb();
        // Said as the photo viewer says it for a photo of a record on the device (photo-unavailable.ts).
        return (docId, name, onProgress) =>
          downloadAttachment(server(), docId, name, { onProgress }).catch((error: unknown) => {
            throw photoUnavailable(error);
          });
      },
    },
  ],
  template: `
    <nav>
      <a mat-button routerLink="/inspections" data-testid="back-to-list" i18n="@@archived.back">Inspections</a>
    </nav>
    @if (!online()) {
      <p class="notice" role="status" data-testid="archived-offline" i18n="@@archived.offline">
        This inspection is archived: it is kept on the server only. Connect to open it.
      </p>
    } @else if (loadError(); as error) {
      <p class="error" role="alert" data-testid="archived-error">
        {{ error }}
        <button mat-button type="button" data-testid="archived-retry" (click)="load()" i18n="@@archived.retry">Try again</button>
      </p>
    }
    @if (entry(); as summary) {
      @if (!loaded()) {
        <header class="record-title">
          <h1 data-testid="archived-heading">{{ summary.title }}</h1>
        </header>
        <p class="meta">{{ summary.site }} · {{ summary.scheduledFor | appDate }}</p>
      }
    }
    @if (loaded(); as view) {
      @let doc = view.inspection;
      <header class="record-title">
        <h1 data-testid="archived-heading">{{ doc.title }}</h1>
        <span class="status" [attr.data-status]="doc.status" data-testid="archived-status">{{ statusLabels[doc.status] }}</span>
      </header>
      <p class="meta">{{ doc.site }} · {{ doc.scheduledFor | appDate }}</p>
      <p class="notice" data-testid="archived-read-only" i18n="@@archived.readOnly">
        Archived: read from the server, read-only. Last changed {{ doc.updatedAt | appDate }} by {{ doc.updatedBy }}.
      </p>
      <app-inspection-sheet [inspection]="doc" [defects]="view.defects" />
    }
  `,
  styles: `
    .meta {
      color: #5f6368;
    }
    .notice {
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container, #eee);
    }
  `,
})
export class ArchivedInspectionPage {
  private readonly server = serverDb();
  private readonly index = inject(ArchiveIndexService);

  /** The inspection's id, from the route. */
  readonly id = input.required<string>();

  protected readonly statusLabels = INSPECTION_STATUS_LABELS;
  protected readonly online = toSignal(inject(ReachabilityService).reachable$, { initialValue: true });
  protected readonly entry = computed(() => this.index.archived().find((entry) => entry.id === this.id()) ?? null);
  protected readonly loaded = signal<Loaded | null>(null);
  protected readonly loadError = signal('');

  constructor() {
    // Loads when opened, and again when the tablet comes back in range.
    effect(() => {
      const id = this.id();
      if (this.online()) untracked(() => void this.load(id));
    });
  }

  protected async load(id = this.id()): Promise<void> {
    this.loadError.set('');
    try {
      const db = this.server();
      const [inspection, found] = await Promise.all([
        db.get<Inspection>(id),
        db.find({ selector: { inspectionId: id, type: 'defect' }, use_index: ['idx-inspection', 'inspection'], limit: LOCAL_FIND_LIMIT }),
      ]);
      const defects = (found.docs as DefectWithPhotos[]).sort((a, b) => b.severity - a.severity || a.title.localeCompare(b.title));
      if (id === this.id()) this.loaded.set({ inspection, defects });
    } catch (error) {
      this.loadError.set(
        apiErrorMessage(error, $localize`:@@archived.readError:The archived inspection could not be read from the server`),
      );
    }
  }
}
