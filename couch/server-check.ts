import { basicAuthorization, splitCredentials } from './couch-admin';

/** What `GET /` and `GET /_session` (as COUCH_URL's user) said, or why they could not be asked. */
export interface ServerAnswers {
  root?: { couchdb?: unknown; 'express-pouchdb'?: unknown; version?: unknown };
  session?: { status: number; roles?: string[] };
  unreachable?: string;
}

/**
 * One sentence saying why Fieldbook cannot work with the server at `adminUrl`, or null when
 * it can: reachable, CouchDB 3 or later (or PouchDB Server), and the URL's user a server admin.
 */
export function serverProblem(adminUrl: string, answers: ServerAnswers): string | null {
  const { url, name } = splitCredentials(adminUrl);
  if (answers.unreachable) return `Cannot reach CouchDB at ${url} (${answers.unreachable}): is it running, and is COUCH_URL right?`;
  const root = answers.root ?? {};
  if (root.couchdb === 'Welcome') {
    const major = Number(String(root.version ?? '').split('.')[0]);
    if (!(major >= 3)) return `${url} runs CouchDB ${String(root.version)}; Fieldbook needs CouchDB 3 or later.`;
  } else if (!String(root['express-pouchdb'] ?? '').startsWith('Welcome')) {
    return `${url} does not answer like CouchDB: check COUCH_URL.`;
  }
  if (!name)
    return `COUCH_URL carries no user name and password: give a CouchDB server admin's, as in http://admin:PASSWORD@${new URL(url).host}.`;
  const session = answers.session;
  if (session?.status === 401) return `CouchDB at ${url} refused the user name or password in COUCH_URL ("${name}").`;
  if (!session?.roles?.includes('_admin'))
    return `"${name}" (from COUCH_URL) is not a CouchDB server admin; Fieldbook needs one to set up the server.`;
  return null;
}

/**
 * What every CLI does first: the server admin URL `adminUrlOf(env)` names (COUCH_URL, or else
 * the embedded server's: passed in, since the container's bootstrap bundles this file and
 * must not bundle the embedded server), once that server answers as one Fieldbook can use.
 * Otherwise one sentence is thrown, within `askServer`'s bound: a CLI's own requests would
 * wait minutes on a server that takes connections and never answers.
 */
export async function usableAdminUrl(
  env: NodeJS.ProcessEnv,
  adminUrlOf: (env: NodeJS.ProcessEnv) => string,
  ask: (adminUrl: string) => Promise<ServerAnswers> = askServer,
): Promise<string> {
  const adminUrl = adminUrlOf(env);
  const answers = await ask(adminUrl);
  if (answers.unreachable && !env['COUCH_URL']) {
    const { url } = splitCredentials(adminUrl);
    throw new Error(`The embedded server at ${url} is not running (${answers.unreachable}): start it with "npm start", or set COUCH_URL.`);
  }
  const problem = serverProblem(adminUrl, answers);
  if (problem) throw new Error(problem);
  return adminUrl;
}

/** Asks the server what `serverProblem` needs to know, each question within `timeoutMs`; never throws. */
export async function askServer(adminUrl: string, timeoutMs = 10_000): Promise<ServerAnswers> {
  const { url, name, password } = splitCredentials(adminUrl);
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  try {
    const root = ((await (await get('/')).json().catch(() => ({}))) ?? {}) as ServerAnswers['root'];
    if (!name) return { root };
    const response = await get('/_session', { authorization: basicAuthorization(name, password) });
    if (!response.ok) return { root, session: { status: response.status } };
    const { userCtx } = (await response.json()) as { userCtx?: { roles?: string[] } };
    return { root, session: { status: response.status, roles: userCtx?.roles ?? [] } };
  } catch (error) {
    return { unreachable: describeFetchError(error, timeoutMs) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'unknown host';
  if ((error as Error).name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return cause?.message ?? (error as Error).message;
}
