/**
 * `npm run photos -- sweep [--days 7] [--dry-run]`: deletes the full-size photo documents no
 * defect refers to any more, in every user's database (couch/photo-sweep.ts says which and
 * why), as server admin (COUCH_URL, or else the embedded server that `npm start` runs from
 * .data/couch). Safe to run at any time, e.g. nightly; `--dry-run` lists what would go.
 */
import { parseArgs } from 'node:util';
import { adminCouchUrl } from './admin-url';
import { cliCouch } from './cli-couch';
import { DEFAULT_PHOTO_GRACE_DAYS, sweepServerPhotos } from './photo-sweep';

const USAGE = 'usage: npm run photos -- sweep [--days N] [--dry-run]';

/** The command line, or null for anything but a sweep with whole days (Number would read "" and " " as 0 days: every photo's grace gone). */
function sweepOptions(args: string[]): { graceDays: number; dryRun: boolean } | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { days: { type: 'string', default: String(DEFAULT_PHOTO_GRACE_DAYS) }, 'dry-run': { type: 'boolean', default: false } },
    });
  } catch {
    // An unknown option, or --days without its number.
    return null;
  }
  const { positionals, values } = parsed;
  if (positionals.join(' ') !== 'sweep' || !/^\d+$/.test(values.days)) return null;
  return { graceDays: Number(values.days), dryRun: values['dry-run'] };
}

async function main(args: string[]): Promise<number> {
  const options = sweepOptions(args);
  if (!options) {
    console.error(USAGE);
    return 2;
  }
  const { graceDays, dryRun } = options;
  const couch = await cliCouch(process.env, adminCouchUrl);
  const sweeps = await sweepServerPhotos(couch, { graceDays, dryRun }, (line) => console.log(line));
  for (const { db, orphans } of sweeps) for (const id of orphans) console.log(`${dryRun ? 'would delete' : 'deleted'} ${db} ${id}`);
  const total = sweeps.reduce((sum, sweep) => sum + sweep.orphans.length, 0);
  console.log(`${total} unreferenced photo(s) ${dryRun ? 'to delete' : 'deleted'} in ${sweeps.length} database(s)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
