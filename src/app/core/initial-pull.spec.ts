import { leafSnapshot } from '../testing/leaf-snapshot';
import { uniqueDbPrefix } from '../testing/test-support';
import { initialPull } from './initial-pull';
import { Database, PouchDB } from './pouchdb';
import { PULL_OPTIONS } from './replication-options';

describe('initialPull', () => {
  let prefix: string;
  let server: Database;
  let device: Database;
  const opened: Database[] = [];

  const open = (name: string) => {
    const db = new PouchDB<object>(prefix + name);
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    prefix = uniqueDbPrefix();
    server = open('server');
    device = open('device');
  });

  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
  });

  /** A server database with what real ones hold: edit histories, a conflict, deletions, a photo, a design doc. */
  async function seedServer(count: number): Promise<void> {
    await server.bulkDocs(
      Array.from({ length: count }, (_, n) => ({
        _id: `inspection:${String(n).padStart(4, '0')}`,
        type: 'inspection',
        title: `Inspection ${n}`,
      })),
    );
    const edited = await server.get<{ title: string }>('inspection:0001');
    await server.put({ ...edited, title: 'Edited once' });
    const twice = await server.get<{ title: string }>('inspection:0001');
    await server.put({ ...twice, title: 'Edited twice' });
    const conflicted = await server.get('inspection:0002');
    await server.bulkDocs(
      [
        { ...conflicted, _rev: '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', title: 'Tablet A' },
        { ...conflicted, _rev: '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', title: 'Tablet B' },
      ],
      {
        new_edits: false,
      },
    );
    await server.remove(await server.get('inspection:0003'));
    await server.put({
      _id: 'defect:photo',
      type: 'defect',
      _attachments: {
        'photo-1.jpg': {
          content_type: 'image/jpeg',
          data: new Blob([new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9])], { type: 'image/jpeg' }),
        },
      },
    });
    // A full-size photo: the pull leaves it on the server (domain/photo-doc.ts).
    await server.put({
      _id: 'photo:defect:photo:1.jpg',
      type: 'photo',
      _attachments: {
        full: { content_type: 'image/jpeg', data: new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' }) },
      },
    });
    await server.put({ _id: '_design/fieldbook', views: {} });
  }

  it("stores every leaf, history, deletion and attachment as PouchDB's replicator does", async () => {
    await seedServer(25);
    const seq = await initialPull(device, server, { batchSize: 4 });

    const replicated = open('replicated');
    await replicated.replicate.from(server, PULL_OPTIONS);
    expect(await leafSnapshot(device)).toEqual(await leafSnapshot(replicated));
    expect(seq).toEqual((await server.info()).update_seq);
    const photo = (await device.getAttachment('defect:photo', 'photo-1.jpg')) as Blob;
    expect([...new Uint8Array(await photo.arrayBuffer())]).toEqual([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    await expectAsync(device.get('photo:defect:photo:1.jpg')).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
  });

  it('reports each stored batch, and resumes after an interruption without losing anything', async () => {
    await seedServer(30);
    const abort = new AbortController();
    const reported: (number | string)[] = [];
    const first = initialPull(device, server, {
      batchSize: 5,
      signal: abort.signal,
      onBatch: ({ seq, docs }) => {
        expect(docs.length).toBeGreaterThan(0);
        reported.push(seq);
        if (reported.length === 2) abort.abort(new Error('went offline'));
      },
    });
    await expectAsync(first).toBeRejectedWithError('went offline');
    const stored = (await device.allDocs()).rows.length;
    expect(stored).toBeGreaterThan(0);

    await initialPull(device, server, { batchSize: 5, since: reported[reported.length - 1] });
    const replicated = open('replicated');
    await replicated.replicate.from(server, PULL_OPTIONS);
    expect(await leafSnapshot(device)).toEqual(await leafSnapshot(replicated));
  });

  it('leaves a revision the device already has as it is', async () => {
    await seedServer(5);
    await device.replicate.from(server);
    const before = await leafSnapshot(device);
    const { update_seq } = await device.info();
    await initialPull(device, server, { batchSize: 2 });
    expect(await leafSnapshot(device)).toEqual(before);
    expect((await device.info()).update_seq).toBe(update_seq);
  });

  it('hands over to the replicator, which carries on from where it got to', async () => {
    await seedServer(6);
    const since = await initialPull(device, server, { batchSize: 4 });
    await server.put({ _id: 'inspection:late', type: 'inspection', title: 'Written during the first pull' });
    const written: string[] = [];
    await device.replicate
      .from(server, { since } as PouchDB.Replication.ReplicateOptions)
      .on('change', (info) => written.push(...info.docs.map((doc) => doc._id)));
    expect(written).toEqual(['inspection:late']);
    const replicated = open('replicated');
    await replicated.replicate.from(server, PULL_OPTIONS);
    expect(await leafSnapshot(device)).toEqual(await leafSnapshot(replicated));
  });

  it("returns the server's sequence for an empty database", async () => {
    expect(await initialPull(device, server, { batchSize: 10 })).toEqual((await server.info()).update_seq);
    expect((await device.allDocs()).rows).toEqual([]);
  });

  it('fails when the server fails, and stores nothing of the failed batch', async () => {
    await seedServer(4);
    spyOn(server, 'bulkGet').and.rejectWith(Object.assign(new Error('Failed to fetch'), { status: 0 }));
    await expectAsync(initialPull(device, server, { batchSize: 10 })).toBeRejectedWithError('Failed to fetch');
    expect((await device.allDocs()).rows).toEqual([]);
  });
});
