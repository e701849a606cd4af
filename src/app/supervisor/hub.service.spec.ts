import { TestBed } from '@angular/core/testing';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { Defect, Inspection } from '../../../domain/doc-types';
import { userDbName } from '../../../domain/user-db-name';
import { Database, PouchDB } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { Session } from '../core/session.model';
import { ANA, FakeSessions, fakeSessions, provideTestData, uniqueDbPrefix } from '../testing/test-support';
import { DocWriterService, newDocId } from '../data/doc-writer.service';
import { HubService } from './hub.service';

const SAM: Session = { name: 'sam', roles: ['supervisor'], db: userDbName('sam'), hub: 'inspections' };

describe('HubService', () => {
  let hubDb: Database;
  let sessions: FakeSessions;
  let hub: HubService;
  let opened: string[];

  beforeEach(async () => {
    // A local stand-in for the server's hub, with the same Mango indexes.
    hubDb = new PouchDB<object>(`${uniqueDbPrefix()}hub`);
    for (const { fields, name, ddoc } of MANGO_INDEXES) await hubDb.createIndex({ index: { fields, name, ddoc } });
    opened = [];
    sessions = fakeSessions(SAM);
    TestBed.configureTestingModule({
      providers: [provideTestData(sessions), { provide: REMOTE_DB_FACTORY, useValue: (name: string) => (opened.push(name), hubDb) }],
    });
    hub = TestBed.inject(HubService);
  });

  afterEach(() => hubDb.destroy());

  const assignToAna = () => hub.assign({ title: 'Boiler room', site: 'Depot 4', scheduledFor: '2026-03-09', assignedTo: 'ana' });

  it('writes an audited draft assigned to the inspector into the hub', async () => {
    const saved = await assignToAna();

    const stored = await hubDb.get<Inspection>(saved._id);
    expect(stored).toEqual(
      jasmine.objectContaining({
        type: 'inspection',
        status: 'draft',
        assignedTo: 'ana',
        createdBy: 'sam',
        updatedBy: 'sam',
        createdAt: '2026-03-01T08:00:00.000Z',
        deviceId: 'device-test',
      }),
    );
    expect(stored._id).toMatch(/^inspection:/);
    expect(stored.checklist.length).toBeGreaterThan(0);
    expect(opened).toEqual(['inspections']);
  });

  it('lists submitted inspections and records the decision, keeping who created them', async () => {
    const draft = await assignToAna();
    // Ana's submission, as the fan-in replication would bring it.
    const submitted = { ...draft, status: 'submitted', updatedBy: 'ana' };
    const { rev } = await hubDb.put(submitted);
    await assignToAna();

    const waiting = await hub.submitted();
    expect(waiting.map((doc) => doc._id)).toEqual([draft._id]);

    await hub.review({ ...(submitted as Inspection), _rev: rev }, 'approved', '  Looks good ');
    const reviewed = await hubDb.get<Inspection>(draft._id);
    expect(reviewed).toEqual(
      jasmine.objectContaining({ status: 'approved', reviewComment: 'Looks good', createdBy: 'sam', updatedBy: 'sam' }),
    );
    expect(await hub.submitted()).toEqual([]);
  });

  it("shares an approval with partners, and the inspection's defects along with it", async () => {
    const draft = await assignToAna();
    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    const writer = TestBed.inject(DocWriterService);
    const defectOf = (inspectionId: string) =>
      writer.save<Defect>(
        {
          _id: newDocId('defect'),
          type: 'defect',
          inspectionId,
          title: 'Leak',
          description: '',
          severity: 3,
          location: 'Roof',
          status: 'open',
        },
        hubDb,
      );
    const defect = await defectOf(draft._id);
    const other = await defectOf(newDocId('inspection'));

    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'approved', '', ['acme', 'globex']);
    expect((await hubDb.get<Inspection>(draft._id)).partners).toEqual(['acme', 'globex']);
    expect((await hubDb.get<Defect>(defect._id)).partners).toEqual(['acme', 'globex']);
    expect((await hubDb.get<Defect>(other._id)).partners).toBeUndefined();
  });

  it("writes the decision onto the inspection's defects (their inspectionStatus), which the rules read", async () => {
    const draft = await assignToAna();
    const writer = TestBed.inject(DocWriterService);
    const defectOf = (inspectionId: string) =>
      writer.save<Defect>(
        {
          _id: newDocId('defect'),
          type: 'defect',
          inspectionId,
          title: 'Leak',
          severity: 3,
          status: 'open',
          inspectionStatus: 'submitted',
        },
        hubDb,
      );
    const [first, second, other] = [await defectOf(draft._id), await defectOf(draft._id), await defectOf(newDocId('inspection'))];

    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'approved', '');
    expect((await hubDb.get<Defect>(first._id)).inspectionStatus).toBe('approved');
    expect((await hubDb.get<Defect>(second._id)).inspectionStatus).toBe('approved');
    expect((await hubDb.get<Defect>(second._id)).updatedBy).toBe('sam');
    expect((await hubDb.get<Defect>(other._id)).inspectionStatus).toBe('submitted');

    // A supervisor reopens it: inspection and defects open again for the inspector.
    await hub.review(await hubDb.get<Inspection>(draft._id), 'rejected', 'Reopened');
    expect((await hubDb.get<Inspection>(draft._id)).status).toBe('rejected');
    expect((await hubDb.get<Defect>(first._id)).inspectionStatus).toBe('rejected');
  });

  it('shares nothing on a rejection', async () => {
    const draft = await assignToAna();
    const { rev } = await hubDb.put({ ...draft, status: 'submitted', updatedBy: 'ana' });
    await hub.review({ ...draft, status: 'submitted', _rev: rev }, 'rejected', 'Redo the roof', ['acme']);
    const reviewed = await hubDb.get<Inspection>(draft._id);
    expect(reviewed.status).toBe('rejected');
    expect(reviewed.partners).toBeUndefined();
  });

  it('refuses to work in the hub without a hub in the session', async () => {
    sessions.set(ANA);
    await expectAsync(assignToAna()).toBeRejectedWithError(/supervisors/);
    expect(opened).toEqual([]);
  });
});
