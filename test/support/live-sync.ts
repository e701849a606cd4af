/**
 * A device's live two-way sync as the app runs it. It ends with `complete` when cancelled,
 * or with `error` when the server refuses it for good (e.g. 401 once the user is disabled):
 * `ended` resolves either way, with the error if there was one.
 */
export function startLiveSync(device: PouchDB.Database, remote: PouchDB.Database) {
  const sync = device.sync(remote, { live: true, retry: true, back_off_function: () => 200 });
  const ended = new Promise<{ status?: number; name?: string } | null>((resolve) => {
    sync.on('complete', () => resolve(null));
    sync.on('error', (error) => resolve(error as { status?: number }));
  });
  // The error is reported through `ended`; unobserved, the sync's own promise would reject unhandled.
  sync.catch(() => undefined);
  return {
    sync,
    ended,
    async stop() {
      sync.cancel();
      await ended;
    },
  };
}
