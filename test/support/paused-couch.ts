import type { CouchAdmin } from '../../couch/couch-admin';

/**
 * The admin client, with `before` awaited ahead of each of its calls to the server, named
 * like `PUT _config/admins/sue` (requests) or `destroy _users` (a database's methods): a
 * race between two changes made to run in one order, or a failure injected at one step.
 */
export function pausedCouch(couch: CouchAdmin, before: (call: string) => Promise<void>): CouchAdmin {
  const paused = <T extends object>(target: T, callName: (method: string, args: unknown[]) => string): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await before(callName(String(property), args));
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return new Proxy(couch, {
    get(object, property, receiver) {
      if (property === 'request')
        return paused({ request: object.request.bind(object) }, (_m, [options]) => {
          const { method = 'GET', path = '' } = options as { method?: string; path?: string };
          return `${method} ${path}`;
        }).request;
      if (property === 'use') return (db: string) => paused(object.use(db), (method) => `${method} ${db}`);
      return Reflect.get(object, property, receiver) as unknown;
    },
  });
}
