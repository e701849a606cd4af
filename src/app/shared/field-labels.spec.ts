import { fieldLabel, fieldValue } from './field-labels';

describe('field labels and values', () => {
  it('names a field by its label, else spells its name out', () => {
    expect(fieldLabel('scheduledFor')).toBe('Scheduled for');
    expect(fieldLabel('checklist[2].result')).toBe('Result');
    expect(fieldLabel('deviceName')).toBe('Device name');
  });

  it('shows stored codes in words and calendar dates in the app’s date style', () => {
    expect(fieldValue('status', 'approved')).toBe('Approved');
    expect(fieldValue('status', 'wont_fix')).toBe("Won't fix");
    expect(fieldValue('checklist[2].result', 'na')).toBe('N/A');
    expect(fieldValue('scheduledFor', '2026-03-05', 'fr')).toBe('5 mars 2026');
    expect(fieldValue('title', 'approved')).toBe('approved');
  });
});
