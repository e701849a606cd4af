import type { CouchAdmin } from './couch-admin';

/**
 * Server configuration, written the way each server flavour accepts it: CouchDB 3 per
 * cluster node under `/_node/<node>/_config`, PouchDB Server under the 1.x `/_config`
 * (which also names the auth section `couch_httpd_auth` instead of `chttpd_auth`).
 */
export async function setServerConfig(couch: CouchAdmin, section: string, key: string, value: string): Promise<void> {
  const root = (await couch.request({ path: '' })) as { couchdb?: string };
  if (root.couchdb === 'Welcome') {
    const { all_nodes } = (await couch.request({ path: '_membership' })) as { all_nodes: string[] };
    for (const node of all_nodes) {
      await couch.request({ method: 'PUT', path: `_node/${node}/_config/${section}/${key}`, body: JSON.stringify(value) });
    }
    return;
  }
  const legacySection = section === 'chttpd_auth' ? 'couch_httpd_auth' : section;
  await couch.request({ method: 'PUT', path: `_config/${legacySection}/${key}`, body: JSON.stringify(value) });
}
