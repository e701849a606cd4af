import { Database } from '../core/pouchdb';
import { abortedWriteError } from './aborted-write';

type AdapterWrite = (docs: unknown, options: unknown, callback: (error: Error) => void) => void;

/**
 * Makes every write of `db` fail the way a full storage fails it: inside PouchDB's adapter, with
 * the aborted transaction's error. Not a spy on `bulkDocs`: PouchDB's own callers (`put`,
 * `remove`, a replication's checkpoint) call it with a callback such a spy never calls, so they
 * would hang where a full storage makes them fail.
 */
export function refuseEveryWrite(db: Database): jasmine.Spy {
  const adapter = db as unknown as { _bulkDocs: AdapterWrite };
  return spyOn(adapter, '_bulkDocs').and.callFake((_docs, _options, callback) => queueMicrotask(() => callback(abortedWriteError())));
}
