import { DestroyRef, Signal, inject, signal } from '@angular/core';

/**
 * How often the day is looked at again. A timer set for midnight would not do: a tablet asleep
 * overnight stops the clock timers run on, and would wake to yesterday.
 */
const CHECK_MS = 60_000;

/** The local midnight that starts the day of `at`, in milliseconds. */
export function startOfLocalDay(at: Date): number {
  return new Date(at).setHours(0, 0, 0, 0);
}

/** Today's local midnight, which moves on once midnight has passed. Call it in an injection context. */
export function localToday(): Signal<number> {
  const today = signal(startOfLocalDay(new Date()));
  const check = setInterval(() => today.set(startOfLocalDay(new Date())), CHECK_MS);
  inject(DestroyRef).onDestroy(() => clearInterval(check));
  return today.asReadonly();
}
