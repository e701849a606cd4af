/**
 * `npm run migrate`: brings every Fieldbook record on the server (each user's database, the hub,
 * the partners' copies) to the current schema versions (domain/schema-versions.ts), as server
 * admin (COUCH_URL, or else the embedded server that `npm start` runs from .data/couch).
 * Run it after deploying a release that raises a version; rerun it any time (it skips what is
 * current and resumes where an interrupted run stopped).
 */
import { adminCouchUrl } from './admin-url';
import { cliCouch } from './cli-couch';
import { migrateServer } from './migrate';

const USAGE = 'usage: npm run migrate';

async function main(args: string[]): Promise<number> {
  // It takes none: an admin asking for help or a dry run must not have every database migrated.
  if (args.length) {
    console.error(USAGE);
    return 2;
  }
  const results = await migrateServer(await cliCouch(process.env, adminCouchUrl), (line) => console.log(line));
  const failed = results.flatMap(({ db, failed }) => failed.map(({ id, reason }) => `${db} ${id}: ${reason}`));
  for (const line of failed) console.error(`not migrated: ${line}`);
  const migrated = results.reduce((sum, result) => sum + result.migrated, 0);
  console.log(`${migrated} record(s) migrated in ${results.length} database(s)${failed.length ? `, ${failed.length} not` : ''}`);
  return failed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
