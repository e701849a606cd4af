import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A server CLI as the image ships it: compiled (`npm run build:node`), run with plain node. */
export const compiledCli = (name: string) => join(__dirname, '../../dist/couch', `${name}.js`);

/** A command each server CLI accepts, so that it gets as far as the server. */
export const CLI_ARGS: Readonly<Record<string, string[]>> = {
  'user-cli': ['list'],
  'conflicts-cli': ['list', 'alice'],
  'migrate-cli': [],
  'photos-cli': ['sweep', '--dry-run'],
  'settings-cli': [],
};

/**
 * Runs server CLI `name` with `CLI_ARGS` and only PATH and `env` in its environment: its exit
 * code and what it said on stderr; -1 when it had to be killed (after 60 s, far past every
 * bound under test and far short of nano's 5 minutes, or when `ended` aborts).
 */
export async function runCompiledCli(name: string, env: NodeJS.ProcessEnv, ended: AbortSignal): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [compiledCli(name), ...CLI_ARGS[name]!], {
      env: { PATH: process.env['PATH'], ...env },
      timeout: 60_000,
      signal: ended,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const { code, signal, stderr } = error as { code: number; signal: string | null; stderr: string };
    return { code: signal ? -1 : code, stderr: signal ? `killed (${signal}); stderr: ${stderr}` : stderr };
  }
}
