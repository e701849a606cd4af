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

  it('goes on past pages of the feed that hold only photo documents, which it leaves on the server', async () => {
    const photos = Array.from({ length: 6 }, (_, n) => ({ _id: `photo:defect:d${n}:${n}.jpg`, type: 'photo' }));
    await server.bulkDocs([...photos, ...Array.from({ length: 3 }, (_, n) => ({ _id: `inspection:${n}`, type: 'inspection' }))]);
    const seq = await initialPull(device, server, { batchSize: 3 });
    expect((await device.allDocs()).rows.map((row) => row.id)).toEqual(['inspection:0', 'inspection:1', 'inspection:2']);
    expect(seq).toEqual((await server.info()).update_seq);
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

  /** `count` defects with two thumbnails each, every thumbnail's bytes its own. */
  async function seedThumbnails(count: number): Promise<void> {
    const thumb = (n: number, k: number) => ({
      content_type: 'image/jpeg',
      data: new Blob([new Uint8Array([0xff, 0xd8, n, k, 0xff, 0xd9])], { type: 'image/jpeg' }),
    });
    await server.bulkDocs(
      Array.from({ length: count }, (_, n) => ({
        _id: `defect:${String(n).padStart(3, '0')}`,
        type: 'defect',
        _attachments: { 'thumb-a': thumb(n, 1), 'thumb-b': thumb(n, 2) },
      })),
    );
  }

  it("fetches the thumbnails of a batch in a few requests, not one each, each leaf's own", async () => {
    await seedThumbnails(30);
    // Two leaves of one defect, each with thumbnails of its own.
    const defect = await server.get('defect:000');
    const own = (bytes: number[]) => ({ content_type: 'image/jpeg', data: new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }) });
    await server.bulkDocs(
      [
        { ...defect, _rev: '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', _attachments: { 'thumb-a': own([1, 1]) } },
        { ...defect, _rev: '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', _attachments: { 'thumb-a': own([2, 2]) } },
      ],
      { new_edits: false },
    );
    const bulkGet = spyOn(server, 'bulkGet').and.callThrough();
    const getAttachment = spyOn(server, 'getAttachment').and.callThrough();

    await initialPull(device, server, { batchSize: 50 });

    expect(getAttachment).not.toHaveBeenCalled();
    // The batch's documents, then their attachment bodies (a few bytes each: one request).
    expect(bulkGet).toHaveBeenCalledTimes(2);
    const replicated = open('replicated');
    await replicated.replicate.from(server, PULL_OPTIONS);
    expect(await leafSnapshot(device)).toEqual(await leafSnapshot(replicated));
    const bytes = async (id: string, name: string, rev?: string) => [
      ...new Uint8Array(await ((await device.getAttachment(id, name, rev ? { rev } : {})) as Blob).arrayBuffer()),
    ];
    expect(await bytes('defect:029', 'thumb-b')).toEqual([0xff, 0xd8, 29, 2, 0xff, 0xd9]);
    expect(await bytes('defect:000', 'thumb-a', '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toEqual([1, 1]);
    expect(await bytes('defect:000', 'thumb-a', '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).toEqual([2, 2]);
  });

  it('fails, storing nothing of the batch, when a revision is gone by the time its thumbnails are asked for', async () => {
    await seedThumbnails(3);
    const bulkGet = server.bulkGet.bind(server);
    spyOn(server, 'bulkGet').and.callFake(((options: PouchDB.Core.BulkGetOptions) =>
      (options as { attachments?: boolean }).attachments
        ? Promise.resolve({ results: options.docs.map(({ id }) => ({ id, docs: [{ error: { error: 'not_found', reason: 'missing' } }] })) })
        : bulkGet(options)) as never);
    await expectAsync(initialPull(device, server, { batchSize: 10 })).toBeRejectedWith(jasmine.objectContaining({ status: 409 }));
    expect((await device.allDocs()).rows).toEqual([]);
  });

  it('fails when the server fails, and stores nothing of the failed batch', async () => {
    await seedServer(4);
    spyOn(server, 'bulkGet').and.rejectWith(Object.assign(new Error('Failed to fetch'), { status: 0 }));
    await expectAsync(initialPull(device, server, { batchSize: 10 })).toBeRejectedWithError('Failed to fetch');
    expect((await device.allDocs()).rows).toEqual([]);
  });
});
