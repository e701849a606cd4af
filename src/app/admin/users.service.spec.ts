import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ManagedUser, UsersService } from './users.service';

describe('UsersService', () => {
  let service: UsersService;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    service = TestBed.inject(UsersService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  /** Answers the one request made, after checking where it went and what it carried. */
  function answer(method: string, url: string, body: unknown): void {
    const request = http.expectOne({ method, url });
    expect(request.request.body).toEqual(body);
    request.flush({ ok: true });
  }

  it('lists the users', async () => {
    const listed: ManagedUser[] = [{ name: 'ada', role: 'admin', disabled: false }];
    const list = service.list();
    http.expectOne({ method: 'GET', url: '/api/admin/users' }).flush(listed);
    expect(await list).toEqual(listed);
  });

  it('adds a user with name, role and password', async () => {
    const done = service.add('dana', 'inspector', 'long enough');
    answer('POST', '/api/admin/users', { name: 'dana', role: 'inspector', password: 'long enough' });
    await done;
  });

  it('changes one user at their own address, the name encoded', async () => {
    const calls: [() => Promise<void>, string, string, unknown][] = [
      [() => service.setPassword('o.neil-2', 'long enough'), 'PUT', '/api/admin/users/o.neil-2/password', { password: 'long enough' }],
      [() => service.setRole('a b/c', 'supervisor'), 'PUT', '/api/admin/users/a%20b%2Fc/role', { role: 'supervisor' }],
      [() => service.setRole('bob', 'admin'), 'PUT', '/api/admin/users/bob/role', { role: 'admin' }],
      [() => service.disable('x?y#z'), 'POST', '/api/admin/users/x%3Fy%23z/disable', {}],
      [() => service.enable('bob', 'a new password'), 'POST', '/api/admin/users/bob/enable', { password: 'a new password' }],
      [() => service.remove('x?y#z'), 'DELETE', '/api/admin/users/x%3Fy%23z', null],
    ];
    for (const [call, method, url, body] of calls) {
      const done = call();
      answer(method, url, body);
      await done;
    }
  });

  it('fails with the server’s answer', async () => {
    const done = service.setPassword('cy', 'long enough');
    http
      .expectOne('/api/admin/users/cy/password')
      .flush({ error: 'conflict', reason: 'cy is disabled' }, { status: 409, statusText: 'Conflict' });
    await expectAsync(done).toBeRejectedWith(
      jasmine.objectContaining({ status: 409, error: { error: 'conflict', reason: 'cy is disabled' } }),
    );
  });
});
