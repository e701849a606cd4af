/**
 * What the photo sweep remembers of its earlier runs on a database: when each ran and the
 * database's sequence then. The server keeps no time of arrival; a photo that has not changed
 * since a run at least the grace period ago has been on the server that long (couch/photo-sweep.ts).
 */
import { isUpdateSequence, type UpdateSequence } from './update-sequence';

export interface SweepRun {
  /** ISO time of the run. */
  at: string;
  /** The database's update sequence, read before the run looked at any photo. */
  seq: UpdateSequence;
}

/** Days of runs remembered: a grace period of up to a year and a month. */
const KEPT_DAYS = 400;

/**
 * The runs a stored record holds, leaving out any entry not shaped as a run: an admin may edit
 * the record by hand, and a sweep of every user's database must not stop at one. A run left out
 * can only make the sweep keep photos longer (fewer runs, a later settled one or none).
 */
export function storedRuns(record: unknown): SweepRun[] {
  const runs = (record as { runs?: unknown } | null)?.runs;
  return Array.isArray(runs) ? runs.filter(isRun).map(({ at, seq }) => ({ at, seq })) : [];
}

function isRun(value: unknown): value is SweepRun {
  const { at, seq } = (value ?? {}) as { at?: unknown; seq?: unknown };
  return typeof at === 'string' && isIsoTime(at) && isUpdateSequence(seq);
}

/** As a sweep writes it (`toISOString`): runs are told apart by their first ten characters, the day. */
function isIsoTime(at: string): boolean {
  const time = Date.parse(at);
  return !Number.isNaN(time) && new Date(time).toISOString() === at;
}

/** The latest run at or before `cutoff` (ms since the epoch), or null if none is that old. */
export function settledRun(runs: readonly SweepRun[], cutoff: number): SweepRun | null {
  let settled: SweepRun | null = null;
  for (const run of runs) if (Date.parse(run.at) <= cutoff && (!settled || Date.parse(run.at) > Date.parse(settled.at))) settled = run;
  return settled;
}

/**
 * `runs` with `run` added, one per UTC day (the day's latest) for KEPT_DAYS days. A sweep run
 * every few minutes would otherwise fill the record, or with a cap on runs forget every run old
 * enough to settle anything. For a grace period in days this costs at most a day: the run the
 * cutoff falls after may be a day earlier than the latest real one, which keeps a photo longer.
 */
export function withRun(runs: readonly SweepRun[], run: SweepRun): SweepRun[] {
  const latestOfDay = new Map<string, SweepRun>();
  for (const each of [...runs, run].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) latestOfDay.set(each.at.slice(0, 10), each);
  return [...latestOfDay.values()].slice(-KEPT_DAYS);
}
