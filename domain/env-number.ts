/**
 * Numeric settings from the environment, read the same way by `npm start`, the container's
 * bootstrap and the proxy. `Number()` alone passes NaN on: FIELDBOOK_SESSION_DAYS=abc became
 * CouchDB's session timeout "NaN" and made every login fail.
 */
type Env = Readonly<Record<string, string | undefined>>;

/** `env[name]` as a number above 0, or `fallback` when unset or empty; anything else throws one sentence. */
export function positiveNumberFromEnv(env: Env, name: string, fallback: number): number {
  return numberFromEnv(env, name, fallback, (value) => Number.isFinite(value) && value > 0, 'a number above 0');
}

/** `env[name]` as a TCP port from `lowest` (0: any free port) to 65535, or `fallback` when unset or empty; else one sentence thrown. */
export function portFromEnv(env: Env, name: string, fallback: number, lowest: 0 | 1 = 1): number {
  return numberFromEnv(
    env,
    name,
    fallback,
    (value) => Number.isInteger(value) && value >= lowest && value <= 65535,
    `a port number (${lowest} to 65535)`,
  );
}

/** `env[name]` as a whole number from 1, or `fallback` when unset or empty; anything else throws one sentence. */
export function countFromEnv(env: Env, name: string, fallback: number): number {
  return numberFromEnv(env, name, fallback, (value) => Number.isInteger(value) && value >= 1, 'a whole number from 1');
}

/** `env[name]` as true (`true`, `1`, `yes`) or false (`false`, `0`, `no`), any case, or `fallback` when unset or empty; else one sentence thrown. */
export function flagFromEnv(env: Env, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (!text) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  // A misspelt "true" served cookies without Secure behind HTTPS.
  throw new Error(`${name} must be true or false, not "${env[name]}".`);
}

function numberFromEnv(env: Env, name: string, fallback: number, valid: (value: number) => boolean, what: string): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!valid(value)) throw new Error(`${name} must be ${what}, not "${env[name]}".`);
  return value;
}
