import { isNotFound, type CouchAdmin } from './couch-admin';
import { serverFlavour } from './server-flavour';

/**
 * Server configuration, written the way each server flavour accepts it: CouchDB 3 per
 * cluster node under `/_node/<node>/_config`, PouchDB Server under the 1.x `/_config`
 * (which also names the auth section `couch_httpd_auth` instead of `chttpd_auth`).
 */
export async function setServerConfig(couch: CouchAdmin, section: string, key: string, value: string): Promise<void> {
  // nano sends the body as JSON: the string itself, never a JSON text of it (CouchDB would keep the quotes).
  for (const path of await configPaths(couch, section, key)) {
    await couch.request({ method: 'PUT', path, body: value });
  }
}

/** Removes a setting; a setting that is not there is fine. */
export async function deleteServerConfig(couch: CouchAdmin, section: string, key: string): Promise<void> {
  for (const path of await configPaths(couch, section, key)) {
    try {
      await couch.request({ method: 'DELETE', path });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** The setting's path on every node: one on PouchDB Server and a single CouchDB, one per node in a cluster. */
export async function configPaths(couch: CouchAdmin, section: string, key: string): Promise<string[]> {
  const setting = (prefix: string, sectionName: string) => `${prefix}_config/${sectionName}/${encodeURIComponent(key)}`;
  if ((await serverFlavour(couch)) === 'couchdb') {
    const { all_nodes } = (await couch.request({ path: '_membership' })) as { all_nodes: string[] };
    return all_nodes.map((node) => setting(`_node/${node}/`, section));
  }
  return [setting('', section === 'chttpd_auth' ? 'couch_httpd_auth' : section)];
}
