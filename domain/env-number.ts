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

function numberFromEnv(env: Env, name: string, fallback: number, valid: (value: number) => boolean, what: string): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!valid(value)) throw new Error(`${name} must be ${what}, not "${env[name]}".`);
  return value;
}
