import type { CouchAdmin } from './couch-admin';
import { couchAdmin } from './couch-admin';
import { limitedDispatcher, noAnswerSentence, requestTimeoutMs } from './request-limit';
import { usableAdminUrl } from './server-check';

/** Says `sentence` and ends the CLI's process with exit code 1. */
function exitWith(sentence: string): never {
  console.error(sentence);
  return process.exit(1);
}

/**
 * The admin client a CLI works with: the server `adminUrlOf(env)` names, once `usableAdminUrl`
 * approves it, each request given FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS to answer. A server that
 * keeps one waiting longer ends the run at once, `stop` saying so in one sentence: what nano
 * makes of a cut-off answer is not to be acted on (request-limit.ts).
 */
export async function cliCouch(
  env: NodeJS.ProcessEnv,
  adminUrlOf: (env: NodeJS.ProcessEnv) => string,
  stop: (sentence: string) => never = exitWith,
): Promise<CouchAdmin> {
  const timeoutMs = requestTimeoutMs(env);
  const adminUrl = await usableAdminUrl(env, adminUrlOf);
  return couchAdmin(adminUrl, { dispatcher: limitedDispatcher(timeoutMs, () => stop(noAnswerSentence(adminUrl, timeoutMs))) });
}
