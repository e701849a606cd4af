/**
 * Replication jobs as the admin UI shows them, from whichever API the server offers.
 * States follow CouchDB 3's scheduler: initializing, pending, running, crashing, error,
 * failed, completed. Endpoints never carry credentials.
 */
export interface ReplicationStatus {
  id: string;
  source: string;
  target: string;
  state: string;
  error?: string;
  lastUpdated?: string;
  /** Documents this job has written, and changes it still has to read (CouchDB 3 only). */
  docsWritten?: number;
  pending?: number;
}

/**
 * CouchDB 3: `GET /_scheduler/docs/_replicator`. Endpoints on `serverUrl` itself (the jobs
 * name local databases by URL there) read as database names, as on PouchDB Server.
 */
export function fromSchedulerDocs(body: { docs?: SchedulerDoc[] }, serverUrl: string): ReplicationStatus[] {
  const endpoint = (value: unknown) => localName(withoutCredentials(value), serverUrl);
  return (body.docs ?? []).map((doc) => {
    const info = (typeof doc.info === 'object' && doc.info) || {};
    return {
      id: doc.doc_id,
      source: endpoint(doc.source),
      target: endpoint(doc.target),
      state: doc.state ?? 'initializing',
      ...optional('error', ['crashing', 'error', 'failed'].includes(doc.state ?? '') ? errorText(doc.info) : undefined),
      ...optional('lastUpdated', doc.last_updated),
      ...count('docsWritten', (info as { docs_written?: unknown }).docs_written),
      ...count('pending', (info as { changes_pending?: unknown }).changes_pending),
    };
  });
}

function localName(url: string, serverUrl: string): string {
  const server = serverUrl.replace(/\/*$/, '/');
  return url.startsWith(server) ? decodeURIComponent(url.slice(server.length).replace(/\/$/, '')) : url;
}

function count<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' ? ({ [key]: value } as Record<K, number>) : {};
}

interface SchedulerDoc {
  doc_id: string;
  source?: unknown;
  target?: unknown;
  state?: string;
  info?: unknown;
  last_updated?: string;
}

/** PouchDB Server has no scheduler: its replicator records the state in each `_replicator` doc. */
export function fromReplicatorDocs(body: { rows?: { id: string; doc?: ReplicatorDoc }[] }): ReplicationStatus[] {
  return (body.rows ?? [])
    .filter((row) => row.doc && !row.id.startsWith('_design/'))
    .map(({ id, doc }) => ({
      id,
      source: withoutCredentials(doc!.source),
      target: withoutCredentials(doc!.target),
      state: POUCHDB_SERVER_STATES[doc!._replication_state ?? ''] ?? 'initializing',
      ...optional('error', doc!._replication_state === 'error' ? (doc!._replication_state_reason ?? 'unknown error') : undefined),
      ...optional('lastUpdated', doc!._replication_state_time),
    }));
}

interface ReplicatorDoc {
  source?: unknown;
  target?: unknown;
  _replication_state?: string;
  _replication_state_reason?: string;
  _replication_state_time?: string;
}

/** pouchdb-replicator retries until a job fails for good, so its "error" is CouchDB's "failed". */
const POUCHDB_SERVER_STATES: Record<string, string> = { triggered: 'running', completed: 'completed', error: 'failed' };

/** An endpoint (a URL, a local name, or `{url, headers}`) as text without user name or password. */
export function withoutCredentials(endpoint: unknown): string {
  const text =
    typeof endpoint === 'object' && endpoint !== null ? String((endpoint as { url?: unknown }).url ?? '') : String(endpoint ?? '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  url.username = '';
  url.password = '';
  return url.toString();
}

function errorText(info: unknown): string {
  if (typeof info === 'string') return info;
  const error = (info as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : JSON.stringify(info ?? 'unknown error');
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
