import { UNREACHABLE_MESSAGE, syncErrorMessage } from './sync-error-message';
import { API_REASONS } from '../../../domain/api-reasons';
import { abortedWriteError } from '../testing/aborted-write';

describe('syncErrorMessage', () => {
  it("says the server cannot be reached when a fetch failed, in every browser's words", () => {
    expect(syncErrorMessage(new TypeError('Failed to fetch'))).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ name: 'Error', message: 'Failed to fetch' })).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ name: 'TypeError', message: 'NetworkError when attempting to fetch resource.' })).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ message: 'Load failed' })).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ status: 0, message: 'network error' })).toBe(UNREACHABLE_MESSAGE);
  });

  it("treats an answer that is not JSON, and the service worker's 504, as unreachable", () => {
    expect(syncErrorMessage(new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON'))).toBe(UNREACHABLE_MESSAGE);
    // The replicator's copy of the error the service worker's empty 504 causes (seen in e2e).
    const copied = { name: 'Error', message: "Failed to execute 'json' on 'Response': Unexpected end of JSON input" };
    expect(syncErrorMessage(copied)).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ name: 'Error', message: 'JSON Parse error: Unexpected EOF' })).toBe(UNREACHABLE_MESSAGE);
    expect(syncErrorMessage({ status: 504, name: 'unknown_error', message: 'Gateway Timeout' })).toBe(UNREACHABLE_MESSAGE);
  });

  it('says the session expired on 401, also when only the body says so', () => {
    expect(syncErrorMessage({ status: 401, name: 'unauthorized', reason: 'You are not authorized to access this db.' })).toMatch(
      /^Your session has expired\. Sign in again/,
    );
    expect(syncErrorMessage({ message: '{"error":"unauthorized","reason":"Name or password is incorrect."}' })).toMatch(
      /^Your session has expired/,
    );
  });

  it("gives the server's reason for a 403", () => {
    expect(syncErrorMessage({ status: 403, error: 'forbidden', reason: 'You are not allowed to access this db.' })).toBe(
      'The server refused to sync: You are not allowed to access this db.',
    );
    expect(syncErrorMessage({ status: 403, message: '{"error":"forbidden","reason":"Only members may read."}' })).toBe(
      'The server refused to sync: Only members may read.',
    );
    expect(syncErrorMessage({ status: 403, message: '{"error":"forbidden"}' })).toBe('The server refused to sync this account.');
  });

  it("says the proxy's own 403 reasons in the app's words, which the translations follow", () => {
    expect(syncErrorMessage({ status: 403, error: 'forbidden', reason: API_REASONS.notYourDatabase })).toBe(
      'The server refused to sync: You are not allowed to use this database.',
    );
  });

  it('names the status of a server failure without its body', () => {
    const body = '{"error":"service_unavailable","reason":"maintenance"}';
    const message = syncErrorMessage({ status: 503, name: 'unknown_error', message: body });
    expect(message).toBe('The server had a problem (503). Changes stay on this device and sync when it recovers.');
    expect(syncErrorMessage({ status: 500, name: 'unknown_error', message: 'Database encountered an unknown error' })).toContain('(500)');
  });

  it("does not blame the server when the device's storage failed", () => {
    expect(syncErrorMessage({ status: 500, name: 'indexed_db_went_bad', message: 'unknown' })).toMatch(/storage may be full/);
    expect(syncErrorMessage({ name: 'QuotaExceededError', message: 'The quota has been exceeded.' })).toMatch(/storage may be full/);
  });

  it("does not blame the server when IndexedDB aborted the replication's local write (PouchDB's indexeddb adapter on a full storage)", () => {
    expect(syncErrorMessage(abortedWriteError())).toMatch(/storage may be full/);
  });

  it('keeps a short original reason in brackets after a generic sentence', () => {
    const generic = 'Sync stopped because of an unexpected problem. Changes stay on this device.';
    expect(syncErrorMessage({ status: 404, name: 'not_found', reason: 'Database does not exist.' })).toBe(
      `${generic} (Database does not exist.)`,
    );
    expect(syncErrorMessage({ status: 400, name: 'bad_request' })).toBe(`${generic} (bad_request)`);
    expect(syncErrorMessage({ status: 409, message: '{"error":"conflict","reason":"Document update conflict."}' })).toBe(
      `${generic} (Document update conflict.)`,
    );
    expect(syncErrorMessage({ status: 400, reason: 'x'.repeat(200) })).toBe(generic);
    expect(syncErrorMessage({})).toBe(generic);
  });

  it('never shows JSON', () => {
    const cases = [
      { status: 400, message: '{"error":"bad_request","reason":{"nested":true}}' },
      { status: 418, reason: '[1,2,3]' },
      { message: '{not json at all' },
    ];
    for (const error of cases) expect(syncErrorMessage(error)).not.toMatch(/[{}[\]]/);
  });
});
