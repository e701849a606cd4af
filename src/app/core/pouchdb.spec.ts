import { PouchDB } from './pouchdb';
import { uniqueDbPrefix } from '../testing/test-support';

/** The `indexeddb` adapter as patched (patches/pouchdb-adapter-indexeddb+9.0.0.patch). */
describe('the indexeddb adapter', () => {
  let db: PouchDB.Database<object>;

  beforeEach(() => {
    db = new PouchDB<object>(`${uniqueDbPrefix()}adapter`, { adapter: 'indexeddb', auto_compaction: true });
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('keeps the attachments of a revision stored as not winning readable, as a pull stores the other side of a conflict', async () => {
    const photo = btoa('a photo from the other tablet');
    await db.bulkDocs([{ _id: 'defect:1', _rev: '2-b', _revisions: { start: 2, ids: ['b', 'a'] }, title: 'Ours' }], { new_edits: false });
    // Loses to 2-b (a lower hash), with a photo the winner does not have.
    await db.bulkDocs(
      [
        {
          _id: 'defect:1',
          _rev: '2-a',
          _revisions: { start: 2, ids: ['a', 'a'] },
          title: 'Theirs',
          _attachments: { 'thumb-1': { content_type: 'image/jpeg', data: photo } },
        },
      ],
      { new_edits: false },
    );
    expect(((await db.get('defect:1', { conflicts: true })) as { _conflicts?: string[] })._conflicts).toEqual(['2-a']);

    const loser = (await db.get('defect:1', { rev: '2-a', attachments: true })) as { _attachments: Record<string, { data: string }> };
    expect(loser._attachments['thumb-1'].data).toBe(photo);
    const blob = (await db.getAttachment('defect:1', 'thumb-1', { rev: '2-a' })) as Blob;
    expect(await blob.text()).toBe('a photo from the other tablet');
    const stub = (await db.get('defect:1', { rev: '2-a' })) as { _attachments: Record<string, { stub?: boolean }> };
    expect(stub._attachments['thumb-1'].stub).toBeTrue();
  });
});
