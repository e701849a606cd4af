import PouchDB from 'pouchdb-browser';
import PouchFind from 'pouchdb-find';

// Registered once here so every database the app opens can run Mango queries.
PouchDB.plugin(PouchFind);

export { PouchDB };
export type Database = PouchDB.Database<object>;
