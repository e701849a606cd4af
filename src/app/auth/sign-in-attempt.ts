import { ElementRef, Signal, signal } from '@angular/core';
import { LoginError } from '../core/session.service';
import { RetryWait } from './retry-wait';

/**
 * A sign-in form's attempts, for the login page and the re-login dialog alike: busy while one
 * runs, the error it met, and the wait a throttled one (429) is told to keep. Made in an
 * injection context (a component's field): the wait's timer ends with the component.
 */
export class SignInAttempt {
  readonly busy = signal(false);
  readonly error = signal<string | null>(null);
  private readonly retry = new RetryWait(() => this.error.set(null));
  /** Seconds before the proxy takes another try; signing in waits until zero. */
  readonly waitSeconds = this.retry.seconds;
  /** That wait as `1:30`; empty at zero. */
  readonly wait = this.retry.text;

  /**
   * @param password the form's password field
   * @param failed what to say of a failure that is not the server's answer (a LoginError says its own)
   */
  constructor(
    private readonly password: Signal<ElementRef<HTMLInputElement>>,
    private readonly failed: string,
  ) {}

  /** Runs `signIn`, unless the wait is on, and tells how it failed; resolves whether it succeeded. */
  async run(signIn: () => Promise<unknown>): Promise<boolean> {
    if (this.waitSeconds() > 0) return false;
    this.busy.set(true);
    this.error.set(null);
    try {
      await signIn();
      return true;
    } catch (error) {
      this.error.set(error instanceof LoginError ? error.message : this.failed);
      if (error instanceof LoginError && error.retryAfterSeconds) this.retry.start(error.retryAfterSeconds);
      if (error instanceof LoginError && error.status === 401) this.retypePassword();
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  /**
   * After a refused password: the focus back in the field, its text selected to type over. Left
   * on the tapped button, Enter sent the same wrong password again, one more failure towards the
   * sign-in limit.
   */
  private retypePassword(): void {
    this.password().nativeElement.focus();
    this.password().nativeElement.select();
  }
}
