import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PROXY_ARGS } from './build-proxy';

export interface ProxyChild {
  url: string;
  /** The running proxy process's id (a new one after each restart). */
  readonly pid: number;
  /** Drains the proxy (SIGTERM) and resolves once it has exited; no restart after this. */
  stop(): Promise<void>;
}

/** A proxy that exits within this of its start is restarted only after a pause, so a crash loop does not spin. */
const QUICK_EXIT_MS = 5_000;
const RESTART_PAUSE_MS = 1_000;

/**
 * Runs the compiled proxy (dist/proxy/main.js) as a child process with `env` (COUCH_URL,
 * PORT, ...), resolves once it listens, and restarts it on the same port whenever it exits
 * unasked. Its stdin is a pipe it watches: if this process dies, the proxy drains and exits.
 */
export async function runProxyChild(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<ProxyChild> {
  let child: ChildProcess;
  let stopping = false;
  let childEnv: NodeJS.ProcessEnv = { ...env, FIELDBOOK_EXIT_WITH_STDIN: '1' };
  const launch = async (): Promise<{ url: string }> => {
    const startedAt = Date.now();
    child = spawn(process.execPath, PROXY_ARGS, { env: childEnv, stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const line = once(createInterface({ input: child.stdout! }), 'line') as Promise<[string]>;
    const first = await Promise.race([
      line,
      exited.then(([code]) => Promise.reject(new Error(`The proxy exited (${code}) before it listened.`))),
    ]);
    const ready = JSON.parse(first[0]) as { url: string };
    void exited.then(([code, signal]) => {
      if (stopping) return;
      log(`The proxy exited (${signal ?? code}); restarting it.`);
      const restartAt = Date.now();
      const restart = (): void => {
        if (stopping) return;
        launch().then(
          () => log(`Proxy restarted in ${Date.now() - restartAt} ms.`),
          (error: Error) => (log(error.message), setTimeout(restart, RESTART_PAUSE_MS)),
        );
      };
      setTimeout(restart, Date.now() - startedAt < QUICK_EXIT_MS ? RESTART_PAUSE_MS : 0);
    });
    return ready;
  };
  const { url } = await launch();
  // Restarts reuse the port the first one got, so the URL stays the same.
  childEnv = { ...childEnv, PORT: new URL(url).port };
  return {
    url,
    get pid() {
      return child.pid!;
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
