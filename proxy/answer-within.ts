/**
 * How long the proxy waits for CouchDB to answer a question of its own that a client waits on
 * (a login, a Basic check, a session, the settings) before that client gets 504. Without it a
 * silent CouchDB held a login for undici's 300 s headers timeout.
 */
export const DEFAULT_ANSWER_MS = 30_000;

/**
 * `work` (a nano call, which takes no abort signal), or a TimeoutError (answered 504) if it has
 * not settled within `ms`. The call itself runs on to undici's own limit.
 */
export function answerWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DOMException('The database server did not answer in time.', 'TimeoutError')), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
