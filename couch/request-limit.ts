import { splitCredentials } from './couch-admin';
import { positiveNumberFromEnv } from '../domain/env-number';

/** How long a CLI waits for each answer of the server: its headers, and then each part of its body. */
export const REQUEST_TIMEOUT_ENV = 'FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS';
/**
 * Every CLI request is one page, batch or document (migrate and photos: 500 documents a page),
 * so a healthy server starts answering in seconds; Node's fetch would wait 5 minutes. The longest
 * is `npm run conflicts`' one `_changes` of a user's database: CouchDB streams it as it reads,
 * PouchDB Server sends it once it has read it all (the variable raises the limit for a huge one).
 */
const DEFAULT_TIMEOUT_MS = 30_000;

/** The limit `env` sets (FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS), in milliseconds; one sentence thrown for a bad value. */
export function requestTimeoutMs(env: NodeJS.ProcessEnv): number {
  return positiveNumberFromEnv(env, REQUEST_TIMEOUT_ENV, DEFAULT_TIMEOUT_MS);
}

/** What a CLI says when the server at `adminUrl` kept it waiting past the limit; without the credentials. */
export function noAnswerSentence(adminUrl: string, timeoutMs: number): string {
  return `CouchDB at ${splitCredentials(adminUrl).url} did not answer within ${timeoutMs / 1000} s (${REQUEST_TIMEOUT_ENV} sets how long to wait).`;
}

/** The part of an undici dispatcher that Node's fetch calls (nano passes it on as `agentOptions`). */
export interface FetchDispatcher {
  dispatch(options: object, handler: { onError(error: Error): void }): boolean;
}

/** Where Node's fetch keeps the dispatcher it sends through (undici's `setGlobalDispatcher` sets it there too). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * A dispatcher sending each request the way Node's fetch does, given `timeoutMs` for its headers
 * and between the parts of its body, and calling `onTimeout` when one waits longer. It acts then:
 * nano turns a body that stopped arriving into an empty answer, which the CLI would act on.
 */
export function limitedDispatcher(timeoutMs: number, onTimeout: () => void): FetchDispatcher {
  return {
    dispatch(options, handler) {
      const global = (globalThis as Record<symbol, FetchDispatcher | undefined>)[GLOBAL_DISPATCHER];
      if (!global) throw new Error('Node has no fetch dispatcher to send through.');
      const watched = new Proxy(handler, {
        get(target, property, receiver) {
          if (property !== 'onError') return Reflect.get(target, property, receiver) as unknown;
          return (error: Error & { code?: string }) => {
            if (error.code === 'UND_ERR_HEADERS_TIMEOUT' || error.code === 'UND_ERR_BODY_TIMEOUT') onTimeout();
            target.onError(error);
          };
        },
      });
      return global.dispatch({ ...options, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, watched);
    },
  };
}
