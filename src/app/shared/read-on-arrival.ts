import { Observable } from 'rxjs';

/**
 * `read` now and after each arrival, one read at a time: arrivals during a read ask for one
 * more after it. A record's history comes in bursts (a pull, the hub's replication), and each read
 * reads all of it: a read per entry made a burst of n entries n reads of up to n documents.
 * A read that fails gives null and the next arrival reads again: a server out of reach for a
 * moment must not leave the page without its history until it is opened again.
 */
export function readOnArrival<T>(arrived$: Observable<unknown>, read: () => Promise<T>): Observable<T | null> {
  return new Observable<T | null>((subscriber) => {
    let reading = false;
    let again = false;
    const answered = (value: T | null): void => {
      reading = false;
      subscriber.next(value);
      if (again && !subscriber.closed) {
        again = false;
        start();
      }
    };
    const start = (): void => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      read().then(answered, (error: unknown) => {
        console.error('A read failed; the next arrival reads again', error);
        answered(null);
      });
    };
    start();
    return arrived$.subscribe({ next: start, error: (error: unknown) => subscriber.error(error) });
  });
}
