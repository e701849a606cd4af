import { fieldErrors, validateDoc } from './validation-bridge';

const inspector = { name: 'ana', roles: [] as string[] };

function inspection(overrides: Record<string, unknown> = {}) {
  return {
    _id: 'inspection:0b7c3c2e-4f1a-4b7e-9b1a-2d3e4f5a6b7c',
    type: 'inspection',
    title: 'Roof',
    site: 'Depot 4',
    status: 'draft',
    scheduledFor: '2026-03-01',
    checklist: [{ id: 'a', label: 'Gutters', result: null }],
    createdBy: 'ana',
    createdAt: '2026-03-01T08:00:00.000Z',
    updatedBy: 'ana',
    updatedAt: '2026-03-01T08:00:00.000Z',
    deviceId: 'device-1',
    ...overrides,
  };
}

describe('validation bridge', () => {
  it('keys violations by field, keeping the first message per field', () => {
    expect(fieldErrors(['title: is required', 'title: must be a string', 'checklist[2].label: is required'])).toEqual({
      title: 'is required',
      'checklist[2].label': 'is required',
    });
  });

  it('says who must update when a record is newer than the rules: this app for its own check, the server for its refusal', () => {
    const saved = inspection({ schema: 99 });
    const own = validateDoc(saved, null, inspector)['schema'];
    expect(own).toMatch(/^version 99 is newer than this app knows \(\d+ to \d+\): update the app$/);
    const refusal = fieldErrors(['schema: version 99 is newer than these rules know (1 to 2): update the server first']);
    expect(refusal['schema']).toBe('version 99 is newer than the server accepts (1 to 2): the server must be updated first');
  });

  it('keeps a reason without a field under _doc', () => {
    expect(fieldErrors(['something odd'])).toEqual({ _doc: 'something odd' });
  });

  it('accepts a valid inspection', () => {
    expect(validateDoc(inspection(), null, inspector)).toEqual({});
  });

  it('maps the shared rules to form fields', () => {
    const errors = validateDoc(inspection({ title: ' ', site: '', checklist: [{ id: 'a', label: '', result: 'maybe' }] }), null, inspector);
    expect(errors['title']).toBe('is required');
    expect(errors['site']).toBe('is required');
    expect(errors['checklist[0].label']).toBe('is required');
    expect(errors['checklist[0].result']).toContain('must be one of');
  });

  it('refuses an inspector approving their own inspection', () => {
    const errors = validateDoc(inspection({ status: 'approved' }), null, inspector);
    expect(errors['status']).toBe('only a supervisor may approve or reject');
    expect(validateDoc(inspection({ status: 'approved' }), null, { name: 'ana', roles: ['supervisor'] })).toEqual({});
  });

  it("refuses creating a document in someone else's name", () => {
    expect(validateDoc(inspection({ createdBy: 'bob' }), null, inspector)['createdBy']).toBe('must be your own user name');
  });
});
