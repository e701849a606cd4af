import { abortedWriteError } from '../testing/aborted-write';
import { isStorageFull } from './storage-full';

describe('isStorageFull', () => {
  const estimate = (usage: number, quota: number) => spyOn(navigator.storage, 'estimate').and.resolveTo({ usage, quota });

  it('takes a write IndexedDB aborted for full storage only when the quota is nearly used', async () => {
    estimate(995, 1000);
    expect(await isStorageFull(abortedWriteError())).toBeTrue();
  });

  it('does not take a write aborted with room left for full storage', async () => {
    estimate(100, 1000);
    expect(await isStorageFull(abortedWriteError())).toBeFalse();
  });

  it('takes a QuotaExceededError for full storage, as the browser throws it or as PouchDB names it', async () => {
    expect(await isStorageFull(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))).toBeTrue();
    expect(await isStorageFull({ status: 500, name: 'indexed_db_went_bad', reason: 'QuotaExceededError' })).toBeTrue();
  });

  it('leaves other failures alone', async () => {
    estimate(995, 1000);
    expect(await isStorageFull({ status: 409, name: 'conflict' })).toBeFalse();
    expect(await isStorageFull(new Error('offline'))).toBeFalse();
  });
});
