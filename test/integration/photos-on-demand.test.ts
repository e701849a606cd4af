import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sweepPhotos } from '../../couch/photo-sweep';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { PHOTO_ATTACHMENT, newPhotoDoc } from '../../domain/photo-doc';
import { userDbName } from '../../domain/user-db-name';
import { PULL_OPTIONS, PUSH_OPTIONS } from '../../src/app/core/replication-options';
import type { LeafDoc } from '../../domain/conflicts/stored-doc';
import { asRoot, defect, editOf, inspection } from '../fixtures/documents';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', ivy: 'inspector', sam: 'supervisor', acme: 'partner' });
});
after(() => stack?.stop());

/** `name`'s database on the server through the proxy, as their tablet reaches it. */
async function throughProxy(name: string, dbName: string) {
  return remoteDb(`${stack.proxy.url}/db/${dbName}`, { cookie: await loginCookie(stack.proxy.url, name) });
}

const has = (db: { get(id: string): Promise<unknown> }, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

/** A defect in the hub given a supervisor's decision (its share), as the review writes it. */
async function shareDefect(id: string, fields: { inspectionStatus: string; partners: string[] | undefined }) {
  await waitFor(() => has(stack.admin.use(HUB_DB), id), 60_000, 'the defect in the hub');
  const hub = stack.admin.use<Record<string, unknown>>(HUB_DB);
  await hub.insert({ ...(await hub.get(id)), ...fields, updatedBy: 'sam' });
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

describe('photos on demand', () => {
  test("a full-size photo document reaches the server, the hub (the supervisor reads it there) and a partner it is shared with, and another tablet's pull leaves it out until opened", async () => {
    const inspected = inspection('alice', { title: 'Boiler house' });
    const withPhoto = defect('alice', inspected._id, {
      _attachments: { 'thumb-0001-a.jpg': { content_type: 'image/jpeg', data: JPEG.subarray(0, 4).toString('base64') } },
    });
    const photo = newPhotoDoc(
      { defectId: withPhoto._id, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet-a' },
      '0001-a.jpg',
      {
        content_type: 'image/jpeg',
        data: JPEG.toString('base64'),
      },
    );

    // Tablet A pushes as the app does.
    const tabletA = localDb('tablet-a');
    const alice = await throughProxy('alice', userDbName('alice'));
    await tabletA.bulkDocs([inspected, photo, withPhoto] as PouchDB.Core.PutDocument<object>[]);
    await tabletA.replicate.to(alice, PUSH_OPTIONS);
    assert.equal(await has(stack.admin.use(userDbName('alice')), photo._id), true);

    // The fan-in job copies it to the hub, where the supervisor's review reads it.
    await waitFor(() => has(stack.admin.use(HUB_DB), photo._id), 60_000, 'the photo in the hub');
    const hub = await throughProxy('sam', HUB_DB);
    assert.deepEqual(Buffer.from((await hub.getAttachment(photo._id, PHOTO_ATTACHMENT)) as Buffer), JPEG);

    // Its defect shared with a partner (an approval), the photo reaches them too.
    await shareDefect(withPhoto._id, { inspectionStatus: 'approved', partners: ['acme'] });
    await waitFor(() => has(stack.admin.use(partnerDbName('acme')), photo._id), 60_000, 'the photo in the partner database');

    // Tablet B pulls with the app's options: the defect and its thumbnail, not the photo.
    const tabletB = localDb('tablet-b');
    await tabletB.replicate.from(alice, PULL_OPTIONS);
    assert.equal(await has(tabletB, withPhoto._id), true);
    assert.deepEqual(Object.keys((await tabletB.get(withPhoto._id))._attachments ?? {}), ['thumb-0001-a.jpg']);
    assert.equal(await has(tabletB, photo._id), false);

    // Opened, it is fetched as the app fetches it, and stored as that same revision.
    const fetched = await alice.get(photo._id, { revs: true, attachments: true, binary: true });
    await tabletB.bulkDocs([fetched], { new_edits: false });
    assert.equal((await tabletB.get(photo._id))._rev, (await stack.admin.use(userDbName('alice')).get(photo._id))._rev);
    assert.deepEqual(Buffer.from((await tabletB.getAttachment(photo._id, PHOTO_ATTACHMENT)) as Buffer), JPEG);

    for (const db of [tabletA, tabletB]) await db.destroy();
  });

  test("a defect's photos follow its share: one that reaches the hub after the approval goes to the partner, one the approved defect does not show or one of a defect in conflict does not, a photo given partners of its own loses them, and a reopening takes them back from the partner", async () => {
    const inspected = inspection('alice', { status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    // The approved version shows late.jpg (its thumbnail), which the supervisor saw; not unseen.jpg.
    const thumb = { content_type: 'image/jpeg', data: JPEG.toString('base64') };
    const approved = defect('alice', inspected._id, {
      inspectionStatus: 'approved',
      partners: ['acme'],
      updatedBy: 'sam',
      _attachments: { 'thumb-late.jpg': thumb },
    });
    const unsharedDefect = defect('alice', inspected._id, { title: 'Not shared' });
    const hub = stack.admin.use<{ partners?: string[] }>(HUB_DB);
    const partnerDb = stack.admin.use(partnerDbName('acme'));
    await hub.bulk({ docs: [inspected, approved, unsharedDefect] });
    const photoOf = (defectId: string, stem: string) =>
      newPhotoDoc({ defectId, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet-a' }, stem, {
        content_type: 'image/jpeg',
        data: JPEG.toString('base64'),
      });
    const partnersOf = async (id: string) => (await hub.get(id)).partners;

    // The fan-in brings a photo after the decision: it is shared all the same. One the approved
    // version does not show (taken on another tablet's version, or added by hand) is not.
    const late = photoOf(approved._id, 'late.jpg');
    const unseen = photoOf(approved._id, 'unseen.jpg');
    await hub.bulk({ docs: [unseen, late] as never[] });
    await waitFor(() => has(partnerDb, late._id), 60_000, 'the late photo in the partner database');
    assert.deepEqual(await partnersOf(late._id), ['acme']);
    assert.equal(await partnersOf(unseen._id), undefined);
    assert.equal(await has(partnerDb, unseen._id), false);

    // A photo of a defect that is not shared, given partners anyway, is taken back.
    const forced = { ...photoOf(unsharedDefect._id, 'forced.jpg'), partners: ['acme'] };
    await hub.insert(forced as never);
    await waitFor(async () => (await partnersOf(forced._id)) === undefined, 60_000, 'the photo without partners');

    // In conflict (a tablet's version made before the approval, pushed after it): its photos are shared no more.
    const current = (await hub.get(approved._id)) as unknown as Record<string, unknown> & { _rev: string };
    const branch = (hash: string, fields: Record<string, unknown>) => ({
      ...current,
      ...fields,
      _rev: `2-${hash}`,
      _revisions: { start: 2, ids: [hash, current._rev.slice(2)] },
    });
    // The approved version stays the winner (the higher revision id).
    const otherVersion = branch('0'.repeat(32), { inspectionStatus: 'draft', partners: undefined, title: 'Offline edit' });
    await hub.bulk({ docs: [branch('f'.repeat(32), {}), otherVersion], new_edits: false } as never);
    // Resolved for the approved version: shared again.
    await hub.destroy(approved._id, otherVersion._rev);
    await waitFor(async () => (await partnersOf(late._id))?.[0] === 'acme', 60_000, 'the photo shared again');

    // Reopened: the photo goes back to nobody, and the partner loses it.
    await shareDefect(approved._id, { inspectionStatus: 'rejected', partners: undefined });
    await waitFor(async () => !(await has(partnerDb, late._id)), 60_000, 'the photo withdrawn from the partner');
    assert.equal(await partnersOf(late._id), undefined);
    // The job may have copied the forced one before it lost its partners: withdrawn then too.
    await waitFor(async () => !(await has(partnerDb, forced._id)), 60_000, 'the forced photo withdrawn from the partner');
  });

  test('the server refuses a change to a photo, and a photo claiming someone else took it', async () => {
    const alice = await throughProxy('alice', userDbName('alice'));
    const defectId = `defect:${crypto.randomUUID()}`;
    const image = { content_type: 'image/jpeg', data: JPEG.toString('base64') };
    const own = newPhotoDoc({ defectId, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet-a' }, 'own.jpg', image);
    const { rev } = await alice.put(own as PouchDB.Core.PutDocument<object>);
    await assert.rejects(alice.put({ ...own, _rev: rev, deviceId: 'tablet-b' } as PouchDB.Core.PutDocument<object>), { status: 403 });
    const forged = newPhotoDoc(
      { defectId, createdBy: 'sam', createdAt: new Date().toISOString(), deviceId: 'tablet-a' },
      'forged.jpg',
      image,
    );
    await assert.rejects(alice.put(forged as PouchDB.Core.PutDocument<object>), { status: 403 });
  });
  test('`npm run photos -- sweep` deletes the photos no defect refers to (a thumbnail removed where the photo was never held, a deleted defect) once they have been on the server past the grace period, keeps any a conflicting revision may still show, whose defect has not reached the server, or which arrived since (the defect revision that shows it may be on its way), and the hub follows', async () => {
    // A user of its own: the other tests' photos (the hub's fan-out brings alice's back at its own pace) stay out of its sweeps.
    const ivy = await throughProxy('ivy', userDbName('ivy'));
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    const month = daysAgo(30).toISOString();
    const image = { content_type: 'image/jpeg', data: JPEG.toString('base64') };
    const thumbs = (...stems: string[]) =>
      Object.fromEntries(
        stems.map((stem) => [`thumb-${stem}`, { content_type: 'image/jpeg', data: JPEG.subarray(0, 4).toString('base64') }]),
      );
    const photoOf = (defectId: string, stem: string, createdAt = month) =>
      newPhotoDoc({ defectId, createdBy: 'ivy', createdAt, deviceId: 'tablet-a' }, stem, image) as PouchDB.Core.PutDocument<object> & {
        _id: string;
      };
    const inspected = inspection('ivy');
    const kept = defect('ivy', inspected._id, { _attachments: thumbs('1-kept.jpg', '2-removed.jpg') });
    const deleted = defect('ivy', inspected._id, { _attachments: thumbs('3-gone.jpg') });
    const deletedLater = defect('ivy', inspected._id, { _attachments: thumbs('9-deleted-later.jpg') });
    const photos = {
      kept: photoOf(kept._id, '1-kept.jpg'),
      removed: photoOf(kept._id, '2-removed.jpg'),
      gone: photoOf(deleted._id, '3-gone.jpg'),
      deletedLater: photoOf(deletedLater._id, '9-deleted-later.jpg'),
      // Its defect is still on the tablet (its write refused, say): it may yet come.
      waiting: photoOf(defect('ivy', inspected._id)._id, '7-waiting.jpg'),
    };
    // Tablet A took the photos and pushed them with their defects.
    const tabletA = localDb('tablet-sweep');
    await tabletA.bulkDocs([inspected, ...Object.values(photos), kept, deleted, deletedLater] as PouchDB.Core.PutDocument<object>[]);
    await tabletA.replicate.to(ivy, PUSH_OPTIONS);
    await tabletA.destroy();
    // Another tablet, which never opened them, removes two thumbnails and deletes a defect: their photo documents stay.
    type Stored = PouchDB.Core.ExistingDocument<{ _attachments?: PouchDB.Core.Attachments }>;
    const current = async (id: string) => (await ivy.get(id)) as Stored;
    const keptNow = await current(kept._id);
    await ivy.put({ ...keptNow, _attachments: { 'thumb-1-kept.jpg': keptNow._attachments!['thumb-1-kept.jpg'] } });
    await ivy.remove(await current(deleted._id));
    // Two tablets disagree about a photo: the winning revision dropped it, the other keeps it.
    const disputed = asRoot(defect('ivy', inspected._id, { _attachments: thumbs('4-disputed.jpg') })) as unknown as LeafDoc;
    const disputedPhoto = photoOf(disputed._id, '4-disputed.jpg');
    await ivy.put(disputedPhoto);
    const leaves = [disputed, editOf(disputed, 'aaaa', { title: 'Kept it' }), editOf(disputed, 'ffff', { _attachments: undefined })];
    await ivy.bulkDocs(leaves as PouchDB.Core.PutDocument<object>[], { new_edits: false });
    assert.equal((await current(disputed._id))._rev, '2-ffff');

    const userDb = stack.admin.use(userDbName('ivy'));
    // Shared with a partner (an approved defect's, as the hub shares it): the partner's too, it stays.
    const approved = defect('ivy', inspected._id, {
      inspectionStatus: 'approved',
      partners: ['acme'],
      updatedBy: 'sam',
      _attachments: thumbs('6-shared.jpg'),
    });
    const shared = { ...photoOf(approved._id, '6-shared.jpg'), partners: ['acme'] };
    await userDb.bulk({ docs: [approved, shared] });
    // The first sweep (eight days ago, as far as it knows) deletes nothing: when these photos
    // arrived is not known before a sweep has seen them on the server.
    const firstAt = daysAgo(8);
    const first = await sweepPhotos(stack.admin, userDbName('ivy'), { graceDays: 7, now: firstAt });
    assert.deepEqual([first.orphans, first.settledAt], [[], null]);
    // More than a page (500) of the changes the sweep reads come first: it must read on past them.
    const busyWeek = await userDb.bulk({ docs: Array.from({ length: 600 }, () => inspection('ivy')) });
    assert.deepEqual(
      busyWeek.filter((result) => result.error),
      [],
    );
    // A defect deleted since that sweep: a tablet offline since may yet push an edit of it, which
    // brings it back (a live version wins over a deletion), so its photos wait a grace period too.
    await ivy.remove(await current(deletedLater._id));
    // A tablet offline for a month pushes a photo it took then of a defect the server has: the
    // photo's batch has arrived, the defect's revision that shows it not yet.
    const late = photoOf(kept._id, '8-late.jpg');
    await userDb.insert(late);

    const orphans = [photos.removed._id, photos.gone._id].sort();
    const dryRun = await sweepPhotos(stack.admin, userDbName('ivy'), { graceDays: 7, dryRun: true });
    assert.deepEqual([...dryRun.orphans].sort(), orphans);
    assert.equal(dryRun.settledAt, firstAt.toISOString());
    assert.equal(await has(userDb, photos.removed._id), true);

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'couch/photos-cli.ts', 'sweep'], {
      env: { ...process.env, COUCH_URL: stack.couch.adminUrl },
    });
    for (const id of orphans) assert.match(stdout, new RegExp(`^deleted ${userDbName('ivy')} ${id.replace(/[.]/g, '\\.')}$`, 'm'));
    for (const id of orphans) assert.equal(await has(userDb, id), false, id);
    for (const { _id } of [photos.kept, photos.waiting, photos.deletedLater, disputedPhoto, shared, late])
      assert.equal(await has(userDb, _id), true, _id);
    // The deletions travel on like any other: the hub's copies go too.
    await waitFor(async () => !(await has(stack.admin.use(HUB_DB), photos.gone._id)), 60_000, 'the deletion in the hub');
    assert.deepEqual((await sweepPhotos(stack.admin, userDbName('ivy'), { graceDays: 7 })).orphans, []);
    // Its defect never came to show it: a week after the sweep that saw it arrive, it goes; so
    // does the photo of the defect deleted since the first sweep.
    const inAWeek = new Date(Date.now() + 8 * 86_400_000);
    assert.deepEqual(
      [...(await sweepPhotos(stack.admin, userDbName('ivy'), { graceDays: 7, now: inAWeek })).orphans].sort(),
      [late._id, photos.deletedLater._id].sort(),
    );
    // The sweep's record edited by hand into another shape (a sweep of every user must not stop
    // there): its runs are lost, so nothing is settled, and the sweep notes its own run anew.
    const runsId = '_local/fieldbook-photo-sweeps';
    await userDb.insert({ ...(await userDb.get(runsId)), runs: { [firstAt.toISOString()]: 1 } } as never, runsId);
    const afterEdit = await sweepPhotos(stack.admin, userDbName('ivy'), { graceDays: 7, now: inAWeek });
    assert.deepEqual([afterEdit.looked > 0, afterEdit.settledAt], [true, null]);
    assert.equal(((await userDb.get(runsId)) as unknown as { runs: unknown[] }).runs.length, 1);
  });
});
