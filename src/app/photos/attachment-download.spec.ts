import { Database, PouchDB } from '../core/pouchdb';
import { uniqueDbPrefix } from '../testing/test-support';
import { DownloadProgress, downloadAttachment } from './attachment-download';

/** A server database reached over HTTP, as PouchDB's http adapter offers it: `fetch` of a path. */
function httpDatabase(answer: (path: string) => Response): { db: Database; paths: string[] } {
  const paths: string[] = [];
  const db = {
    fetch: (path: string) => {
      paths.push(path);
      return Promise.resolve(answer(path));
    },
  } as unknown as Database;
  return { db, paths };
}

/** A body that arrives in `chunks`, as a slow connection delivers it. */
function streamed(chunks: Uint8Array[], headers: Record<string, string>): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}

describe('downloadAttachment', () => {
  const photo = [new Uint8Array(300).fill(1), new Uint8Array(300).fill(2), new Uint8Array(400).fill(3)];

  it('reports the bytes of an attachment as they arrive, out of the Content-Length, and gives the whole of it', async () => {
    const { db, paths } = httpDatabase(() => streamed(photo, { 'content-type': 'image/jpeg', 'content-length': '1000' }));
    const heard: DownloadProgress[] = [];
    const blob = await downloadAttachment(db, 'photo:d1/full', 'photo 1.jpg', { rev: '2-abc', onProgress: (p) => heard.push(p) });
    expect(heard).toEqual([
      { loaded: 300, total: 1000 },
      { loaded: 600, total: 1000 },
      { loaded: 1000, total: 1000 },
    ]);
    expect(blob.type).toBe('image/jpeg');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual(photo.flatMap((chunk) => [...chunk]));
    expect(paths).toEqual(['photo%3Ad1%2Ffull/photo%201.jpg?rev=2-abc']);
  });

  it('reports bytes without a total when the server does not say how many are coming', async () => {
    const { db } = httpDatabase(() => streamed(photo, { 'content-type': 'image/jpeg' }));
    const heard: DownloadProgress[] = [];
    await downloadAttachment(db, 'photo:d1', 'full', { onProgress: (p) => heard.push(p) });
    expect(heard.map((p) => p.total)).toEqual([null, null, null]);
    expect(heard[2].loaded).toBe(1000);
  });

  it("rejects with the server's status and reason, as PouchDB does", async () => {
    const { db } = httpDatabase(
      () =>
        new Response(JSON.stringify({ error: 'not_found', reason: 'missing' }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        }),
    );
    await expectAsync(downloadAttachment(db, 'photo:gone', 'full')).toBeRejectedWith(
      jasmine.objectContaining({ status: 404, name: 'not_found', reason: 'missing' }),
    );
  });

  it('reads a database that is not reached over HTTP whole', async () => {
    const local = new PouchDB<object>(`${uniqueDbPrefix()}download`);
    await local.put({ _id: 'photo:x', _attachments: { full: { content_type: 'image/jpeg', data: new Blob([photo[0]]) } } });
    const blob = await downloadAttachment(local, 'photo:x', 'full');
    expect(blob.size).toBe(300);
    await local.destroy();
  });
});
