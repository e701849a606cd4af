import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { ReplicationStatus } from '../../../domain/replication-status';

export type { ReplicationStatus };

/** The server's replication jobs (fan-in, assignments, partners), from the proxy's admin API. */
@Injectable({ providedIn: 'root' })
export class ReplicationJobsService {
  private readonly http = inject(HttpClient);

  list(): Promise<ReplicationStatus[]> {
    return firstValueFrom(this.http.get<ReplicationStatus[]>('/api/admin/replications'));
  }
}
