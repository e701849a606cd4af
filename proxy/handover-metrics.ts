import { Counter, Gauge, type Registry } from 'prom-client';

/** What the record handover reports on `/metrics`: how much it copies, and whether it keeps up. */
export class HandoverMetrics {
  readonly copied: Counter;
  readonly refused: Counter;
  readonly failedRounds: Counter;
  /** An operator alerts on its age: the handover reads the hub at least every 35 s while it works. */
  readonly lastRound: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.copied = new Counter({
      name: 'fieldbook_handover_revisions_total',
      help: "Revisions copied into an inspection owner's database: records others changed, a reassigned inspection's records and reassigning revision.",
      registers,
    });
    this.refused = new Counter({
      name: 'fieldbook_handover_refused_total',
      help: "Revisions a user's database refused.",
      registers,
    });
    this.failedRounds = new Counter({
      name: 'fieldbook_handover_failed_rounds_total',
      help: 'Rounds of the handover that failed and were retried (CouchDB unreachable, an error).',
      registers,
    });
    this.lastRound = new Gauge({
      name: 'fieldbook_handover_last_round_seconds',
      help: 'When the handover last read the hub to its end, in Unix seconds.',
      registers,
    });
  }
}
