/**
 * An update sequence as a number, to compare how far two readers of a database got: PouchDB
 * Server's sequences are numbers, CouchDB's opaque strings that start with one ("12-g1AAAA…").
 */
export function seqNumber(seq: unknown): number {
  return typeof seq === 'number' ? seq : parseInt(String(seq), 10);
}
