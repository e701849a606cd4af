/**
 * Conflicts in one user's database, as CouchDB server admin (COUCH_URL carries the credentials):
 *
 *   npm run conflicts -- list <user>          conflicted documents and their leaf revisions
 *   npm run conflicts -- autoresolve <user>   merge those whose leaves changed different things
 */
import { cliCouch } from './cli-couch';
import { isNotFound, splitCredentials, type CouchAdmin } from './couch-admin';
import { autoResolveConflicts, type AutoResolveOutcome } from '../domain/conflicts/auto-resolve';
import { conflictCandidateIds, findConflictedDocs, type ConflictedDoc } from '../domain/conflicts/conflicted-docs';
import { auditedNanoConflictDb } from './conflicts/nano-conflict-db';
import { userDbName } from '../domain/user-db-name';

/** The device an entry of a resolution written by this tool names. */
const CLI_DEVICE_ID = 'conflicts-cli';

const USAGE = 'usage: npm run conflicts -- list|autoresolve <user>   (COUCH_URL=http://admin:password@host:5984)';

async function main([command, user]: string[]): Promise<number> {
  const couchUrl = process.env['COUCH_URL'];
  if ((command !== 'list' && command !== 'autoresolve') || !user || !couchUrl) {
    console.error(USAGE);
    return 2;
  }
  const couch = await cliCouch(process.env, () => couchUrl);
  const dbName = userDbName(user);
  // A mistyped name: said as such, not as the server's "no_db_file" or "Database does not exist."
  if (!(await databaseExists(couch, dbName))) {
    console.error(`There is no database ${dbName} for "${user}": is the user name right? npm run user -- list lists them.`);
    return 1;
  }
  const admin = splitCredentials(couchUrl).name;
  const db = auditedNanoConflictDb(couch, dbName, admin, CLI_DEVICE_ID);
  // style=all_docs lists every leaf, so deleted-vs-edited documents show up too.
  const { results } = await couch.use(dbName).changes({ style: 'all_docs' });
  const conflicted = await findConflictedDocs(db, conflictCandidateIds(results));
  console.log(`${conflicted.length} conflicted document(s) in ${dbName} (${user})`);

  if (command === 'list') {
    for (const doc of conflicted) console.log(describeConflictedDoc(doc));
    return 0;
  }
  const outcomes = await autoResolveConflicts(db, conflicted, {
    mergedBy: 'conflicts-cli',
    userCtx: { name: admin, roles: ['_admin'] },
  });
  for (const outcome of outcomes) console.log(describeOutcome(outcome));
  const resolved = outcomes.filter((outcome) => outcome.status === 'resolved').length;
  console.log(`${resolved} resolved, ${outcomes.length - resolved} left alone`);
  return outcomes.some((outcome) => outcome.status === 'left' && outcome.reason === 'write-failed') ? 1 : 0;
}

async function databaseExists(couch: CouchAdmin, dbName: string): Promise<boolean> {
  try {
    await couch.db.get(dbName);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function describeConflictedDoc({ id, leaves }: ConflictedDoc): string {
  const revs = leaves.map((leaf, i) => `  ${leaf._rev}${i === 0 ? ' (winner)' : ''}${leaf._deleted ? ' (deleted)' : ''}`);
  return [`${id} (${String(leaves[0]['type'] ?? 'unknown type')})`, ...revs].join('\n');
}

const LEFT_ALONE_BECAUSE = {
  'auto-merge-off': 'auto-merge is off for its type',
  'needs-choice': 'needs a choice for',
  invalid: 'the merge breaks document rules:',
  changed: 'its versions changed while it was merged; run it again',
  'write-failed': 'writing failed:',
} as const;

function describeOutcome(outcome: AutoResolveOutcome): string {
  if (outcome.status === 'resolved') {
    const result = outcome.deleted ? 'deleted' : `now ${outcome.rev}`;
    return `resolved ${outcome.id}: ${result}, merged ${outcome.mergedFrom.join(' ')}`;
  }
  const details = outcome.details.length > 0 ? ` ${outcome.details.join(', ')}` : '';
  return `left alone ${outcome.id}: ${LEFT_ALONE_BECAUSE[outcome.reason]}${details}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
