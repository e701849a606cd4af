/**
 * What src/main.ts does when the app itself cannot be loaded. The app is a chunk the page
 * imports after its language; when the browser fails to fetch that chunk or one it needs (seen
 * in CI: two cached chunks the service worker answered aborted during a page load), the page
 * stayed blank, with nothing to say a reload would help. A failed module import stays failed
 * for the page's life, so the page reloads itself, once: failing again soon after, it says so
 * and offers to try again, rather than reloading in a loop.
 */

/** When the page last reloaded itself for a failed start (sessionStorage: this tab only). */
export const START_RELOADED_AT_KEY = 'fieldbook-start-reloaded-at';
/** A failure this soon after that reload is shown, not retried. */
export const START_RETRY_WINDOW_MS = 30_000;

export interface StartRecoveryEnv {
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  now(): number;
  reload(): void;
  /** Puts the failure in the page: what happened, the error's own words, and a button that runs `retry`. */
  show(failure: { message: string; detail: string; action: string }, retry: () => void): void;
}

/** Reloads the page once for a failed start, or, right after such a reload, shows why it failed. */
export function recoverFromFailedStart(error: unknown, env: StartRecoveryEnv): 'reloaded' | 'shown' {
  const last = Number(env.storage.getItem(START_RELOADED_AT_KEY) ?? 0);
  if (!(env.now() - last < START_RETRY_WINDOW_MS)) {
    env.storage.setItem(START_RELOADED_AT_KEY, String(env.now()));
    env.reload();
    return 'reloaded';
  }
  env.show(
    {
      message: $localize`:@@start.failed:Fieldbook could not start: part of the app did not load. Check the connection and try again; your saved work is kept on this device.`,
      detail: error instanceof Error ? error.message : String(error),
      action: $localize`:@@start.retry:Try again`,
    },
    () => env.reload(),
  );
  return 'shown';
}

/** The page's own storage, clock and reload, and the failure shown in plain DOM (Angular did not start). */
export function browserStartRecovery(): StartRecoveryEnv {
  return {
    storage: sessionStorage,
    now: () => Date.now(),
    reload: () => location.reload(),
    show({ message, detail, action }, retry) {
      const box = document.createElement('div');
      box.setAttribute('role', 'alert');
      box.dataset['testid'] = 'start-failed';
      box.className = 'start-failed';
      const text = document.createElement('p');
      text.textContent = message;
      const why = document.createElement('p');
      why.className = 'start-failed-detail';
      why.textContent = detail;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = action;
      button.addEventListener('click', retry);
      box.append(text, why, button);
      document.body.prepend(box);
    },
  };
}
