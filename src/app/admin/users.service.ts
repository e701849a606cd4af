import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { FieldbookRole } from '../../../domain/roles';

/** A Fieldbook login as the proxy's admin API lists it; a disabled one keeps its role for when it is enabled again. */
export interface ManagedUser {
  name: string;
  role: FieldbookRole | null;
  disabled: boolean;
}

const USERS_URL = '/api/admin/users';

/** Encoded: a login made outside Fieldbook (in Fauxton, say) may have any character in its name. */
function userUrl(name: string, action?: string): string {
  const user = `${USERS_URL}/${encodeURIComponent(name)}`;
  return action ? `${user}/${action}` : user;
}

/** Fieldbook logins through the proxy's admin API: what `npm run user` does, for the admin page. */
@Injectable({ providedIn: 'root' })
export class UsersService {
  private readonly http = inject(HttpClient);

  list(): Promise<ManagedUser[]> {
    return firstValueFrom(this.http.get<ManagedUser[]>(USERS_URL));
  }

  async add(name: string, role: FieldbookRole, password: string): Promise<void> {
    await firstValueFrom(this.http.post(USERS_URL, { name, role, password }));
  }

  async setPassword(name: string, password: string): Promise<void> {
    await firstValueFrom(this.http.put(userUrl(name, 'password'), { password }));
  }

  /** Keeps their password, also when making them an admin. */
  async setRole(name: string, role: FieldbookRole): Promise<void> {
    await firstValueFrom(this.http.put(userUrl(name, 'role'), { role }));
  }

  /** Cuts their live sync at once; their data stays. */
  async disable(name: string): Promise<void> {
    await firstValueFrom(this.http.post(userUrl(name, 'disable'), {}));
  }

  /** Needs a new password: disabling replaced the old one. */
  async enable(name: string, password: string): Promise<void> {
    await firstValueFrom(this.http.post(userUrl(name, 'enable'), { password }));
  }

  /** The login goes (its live sync stops at once); its data stays on the server. */
  async remove(name: string): Promise<void> {
    await firstValueFrom(this.http.delete(userUrl(name)));
  }
}
