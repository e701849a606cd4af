/**
 * Fieldbook users, as CouchDB server admin (COUCH_URL, or else the embedded server that
 * `npm start` runs from .data/couch):
 *
 *   npm run user -- list
 *   npm run user -- add <name> --role inspector|supervisor|admin|partner
 *   npm run user -- passwd <name>
 *   npm run user -- role <name> <role>      (keeps their password, also when making them an admin)
 *   npm run user -- disable <name>          (cuts off their sync at once; data stays)
 *   npm run user -- enable <name>           (needs a new password: disabling discarded the old one)
 *   npm run user -- remove <name>           (login, replication jobs and access go; data stays)
 *
 * Passwords come from FIELDBOOK_PASSWORD or a prompt that does not echo them.
 */
import { parseArgs } from 'node:util';
import { adminCouchUrl } from './admin-url';
import { cliCouch } from './cli-couch';
import { readNewPassword as readPassword } from './password-prompt';
import { assertRole } from '../domain/roles';
import { getUser, listUsers } from './user-docs';
import { addUser, disableUser, enableUser, removeUser, setPassword, setRole } from './users';

const USAGE = `usage: npm run user -- list | add <name> --role <role> | passwd <name> | role <name> <role>
                     | disable <name> | enable <name> (needs a new password) | remove <name>
(roles: inspector, supervisor, admin, partner; password from FIELDBOOK_PASSWORD or a prompt;
 server: COUCH_URL=http://admin:password@host:5984, or else the embedded one of "npm start")`;

/** Where a run of the CLI reads its settings and writes its lines: the process's own by default. */
export interface UserCliIo {
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  error(line: string): void;
}

const PROCESS_IO: UserCliIo = { env: process.env, log: (line) => console.log(line), error: (line) => console.error(line) };

/**
 * One run of `npm run user -- <argv>`: its exit code (0 done, 1 failed, 2 usage). Exported so
 * tests run the commands in-process: starting Node and tsx for each one takes seconds on a busy machine.
 */
export async function runUserCli(argv: string[], io: UserCliIo = PROCESS_IO): Promise<number> {
  try {
    return await main(argv, io);
  } catch (error) {
    io.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function main(argv: string[], { env, log, error }: UserCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (failure) {
    // A mistyped option ("--rol"): say which, and how the command goes.
    error(failure instanceof Error ? failure.message : String(failure));
    error(USAGE);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, name, roleArgument] = positionals;
  if (values.help || command === 'help') {
    log(USAGE);
    return 0;
  }
  // A server that stops answering ends the process at once, as it does the other CLIs (cli-couch.ts).
  const couch = () =>
    cliCouch(env, adminCouchUrl, (sentence) => {
      error(sentence);
      return process.exit(1);
    });
  const readNewPassword = (user: string) => readPassword(user, env);
  switch (command) {
    case 'list': {
      const users = await listUsers(await couch());
      for (const user of users)
        log(`${user.name.padEnd(24)} ${(user.role ?? '-').padEnd(10)} ${user.disabled ? 'disabled' : ''}`.trimEnd());
      log(`${users.length} user(s)`);
      return 0;
    }
    case 'add': {
      if (!name || !values.role) break;
      assertRole(values.role);
      const server = await couch();
      const existed = (await getUser(server, name)) !== null;
      await addUser(server, name, await readNewPassword(name), values.role);
      log(`${existed ? 'updated' : 'added'} ${name} (${values.role})`);
      return 0;
    }
    case 'passwd': {
      if (!name) break;
      await setPassword(await couch(), name, await readNewPassword(name));
      log(`new password for ${name}`);
      return 0;
    }
    case 'role': {
      if (!name || !roleArgument) break;
      assertRole(roleArgument);
      await setRole(await couch(), name, roleArgument);
      log(`${name} is now ${roleArgument}`);
      return 0;
    }
    case 'disable': {
      if (!name) break;
      await disableUser(await couch(), name);
      log(`disabled ${name}`);
      return 0;
    }
    case 'enable': {
      if (!name) break;
      // Disabling replaced the password with a random one nobody knows, so enabling sets a new one.
      const why = `enabling ${name} needs a new password: disabling replaced the old one, which no longer works`;
      let password: string;
      try {
        if (!env['FIELDBOOK_PASSWORD'] && process.stdin.isTTY) log(`${why}.`);
        password = await readNewPassword(name);
      } catch (failure) {
        throw new Error(`${why}. ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
      }
      await enableUser(await couch(), name, password);
      log(`enabled ${name}`);
      return 0;
    }
    case 'remove': {
      if (!name) break;
      await removeUser(await couch(), name);
      log(`removed ${name}; their data stays, locked to server admins`);
      return 0;
    }
  }
  error(USAGE);
  return 2;
}

if (require.main === module) void runUserCli(process.argv.slice(2)).then((code) => process.exit(code));
