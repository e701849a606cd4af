import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { Directory } from '../../../domain/directory';

export type { Directory };

/** The inspectors and partners a supervisor can pick, from the proxy (only it may read `_users`). */
@Injectable({ providedIn: 'root' })
export class DirectoryService {
  private readonly http = inject(HttpClient);

  load(): Promise<Directory> {
    return firstValueFrom(this.http.get<Directory>('/api/directory'));
  }
}
