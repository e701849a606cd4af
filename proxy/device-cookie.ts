import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The browser's mark of a device a name logged in from (login-throttle.ts); sent to `/api/session` only. */
export const DEVICE_COOKIE = 'fieldbook_device';
export const DEVICE_COOKIE_PATH = '/api/session';
/** How long a device stays known after its last successful login there. */
export const DEVICE_MAX_AGE_MS = 365 * 24 * 3600_000;

/**
 * OWASP's "device cookies": after a successful login the browser gets a cookie naming that login
 * and a random device id, signed by the proxy, which the login throttle trusts with the name's cap
 * lifted (guessers from many addresses cannot lock the user out of a browser they used before).
 * `<name>.<device>.<expiry>.<mac>`, the name base64url, the expiry in seconds (inside the MAC:
 * a copied cookie does not last beyond it). `key` is the same for every proxy process (device-key.ts).
 */
export class DeviceCookies {
  constructor(
    private readonly key: () => Promise<KeyObject>,
    private readonly maxAgeMs = DEVICE_MAX_AGE_MS,
  ) {}

  async issue(name: string, now = Date.now()): Promise<string> {
    const fields = [encodeName(name), randomBytes(16).toString('base64url'), String(Math.floor((now + this.maxAgeMs) / 1000))];
    return [...fields, Buffer.from(this.mac(await this.key(), fields)).toString('base64url')].join('.');
  }

  /** The device id of `value` when it is a cookie issued for `name` and not expired, else null. */
  async deviceOf(value: string | undefined, name: string, now = Date.now()): Promise<string | null> {
    const fields = value?.split('.') ?? [];
    if (fields.length !== 4) return null;
    const [encodedName, device, expiresS, mac] = fields as [string, string, string, string];
    if (encodedName !== encodeName(name) || !(Number(expiresS) * 1000 > now)) return null;
    const expected = this.mac(await this.key(), [encodedName, device, expiresS]);
    const given = new Uint8Array(Buffer.from(mac, 'base64url'));
    return given.length === expected.length && timingSafeEqual(given, expected) ? device : null;
  }

  private mac(key: KeyObject, fields: string[]): Uint8Array {
    // base64url has no '.': the joined fields read one way only.
    return new Uint8Array(createHmac('sha256', key).update(fields.join('.')).digest());
  }
}

function encodeName(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}
