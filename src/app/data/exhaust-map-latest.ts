import { ObservableInput, OperatorFunction, concatMap, defer, finalize, throttle } from 'rxjs';

/**
 * Maps each value to a promise (or an observable), one at a time: values arriving while one
 * runs are dropped except the latest, which runs next. A database query cannot be cancelled,
 * so `switchMap` would let slow queries pile up while a sync streams changes in; this keeps
 * one running and still ends with the answer for the latest input.
 */
export function exhaustMapLatest<T, R>(project: (value: T) => ObservableInput<R>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      let runEnded: Promise<void> = Promise.resolve();
      return source.pipe(
        // A promise, not a subject: throttle listens only after the run has started, and a run
        // that ends at once (an error caught as a value) would end unheard, holding all later ones.
        throttle(() => runEnded, { leading: true, trailing: true }),
        concatMap((value) => {
          let end!: () => void;
          runEnded = new Promise((resolve) => (end = resolve));
          return defer(() => project(value)).pipe(finalize(() => end()));
        }),
      );
    });
}
