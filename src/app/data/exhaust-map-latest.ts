import { OperatorFunction, Subject, concatMap, defer, throttle } from 'rxjs';

/**
 * Maps each value to a promise, one at a time: values arriving while one runs are
 * dropped except the latest, which runs next. A database query cannot be cancelled, so
 * `switchMap` would let slow queries pile up while a sync streams changes in; this keeps
 * one running and still ends with the answer for the latest input.
 */
export function exhaustMapLatest<T, R>(project: (value: T) => Promise<R>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      const finished = new Subject<void>();
      return source.pipe(
        throttle(() => finished, { leading: true, trailing: true }),
        concatMap(async (value) => {
          try {
            return await project(value);
          } finally {
            finished.next();
          }
        }),
      );
    });
}
