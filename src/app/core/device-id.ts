const DEVICE_ID_KEY = 'fieldbook.deviceId';

/**
 * A stable id for this browser profile, written into every document's `deviceId` so a
 * supervisor can tell which tablet made a change. Kept in localStorage so it survives
 * logouts and database resets.
 */
export function deviceId(storage: Storage = localStorage): string {
  let id = storage.getItem(DEVICE_ID_KEY);
  if (!id) {
    id = 'device-' + crypto.randomUUID();
    storage.setItem(DEVICE_ID_KEY, id);
  }
  return id;
}
