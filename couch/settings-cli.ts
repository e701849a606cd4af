/**
 * `npm run settings`: shows the server-side settings; `npm run settings -- archive-days 45` sets
 * how many days after its approval an inspection leaves the inspectors' tablets (default 30;
 * 0: as soon as it is approved and synced). As server admin (COUCH_URL, or else the embedded
 * server that `npm start` runs from .data/couch). Tablets read it when next online.
 */
import { adminCouchUrl } from './admin-url';
import { readAppSettings, setArchiveDays } from './app-settings';
import { cliCouch } from './cli-couch';
import { parseArchiveDays, type AppSettings } from '../domain/archive-settings';

const USAGE = 'usage: npm run settings [-- archive-days <days>]';

async function main(args: string[]): Promise<number> {
  // The arguments first: a mistyped command is told so whether or not the server is up.
  if (args.length !== 0 && (args[0] !== 'archive-days' || args.length !== 2)) {
    console.error(USAGE);
    return 2;
  }
  const parsed = args.length === 0 ? null : parseArchiveDays(args[1]!);
  if (parsed && 'error' in parsed) {
    console.error(parsed.error);
    return 2;
  }
  const couch = await cliCouch(process.env, adminCouchUrl);
  show(parsed ? await setArchiveDays(couch, parsed.days) : await readAppSettings(couch));
  return 0;
}

function show(settings: AppSettings): void {
  console.log(`archive-days ${settings.archiveDays}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
