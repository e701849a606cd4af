import { DestroyRef, computed, inject, signal } from '@angular/core';

/**
 * The wait a throttled sign-in (429) is told to keep, from its Retry-After in seconds, counted
 * down once a second for the login page and the re-login dialog alike. Made in an injection
 * context (a component's field): its timer ends with the component.
 */
export class RetryWait {
  /** Seconds left; signing in is possible again at zero. */
  readonly seconds = signal(0);
  /** `1:30`, `0:05`; empty at zero. */
  readonly text = computed(() => formatWait(this.seconds()));
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly onOver: () => void) {
    inject(DestroyRef).onDestroy(() => clearInterval(this.countdown));
  }

  start(seconds: number): void {
    clearInterval(this.countdown);
    // From the clock, not by counting ticks: a tablet asleep meanwhile does not wait longer.
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      this.seconds.set(left);
      if (left > 0) return;
      clearInterval(this.countdown);
      this.onOver();
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }
}

function formatWait(seconds: number): string {
  if (seconds <= 0) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
