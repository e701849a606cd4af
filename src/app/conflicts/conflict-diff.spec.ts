import { Choices, mergeLeaves } from '../../../domain/conflicts/three-way-merge';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { fieldValue } from '../shared/field-labels';
import { deletionOf, editOf, rootInspection } from '../testing/conflict-fixtures';
import { DiffRow, conflictDiff } from './conflict-diff';

function diff(leaves: LeafDoc[], ancestor: LeafDoc | null, choices: Choices = {}): DiffRow[] {
  const merge = mergeLeaves(leaves, ancestor);
  return conflictDiff(merge, mergeLeaves(leaves, ancestor, choices));
}

function row(rows: DiffRow[], path: string): DiffRow {
  const found = rows.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no row ${path} in ${rows.map((candidate) => candidate.path).join(', ')}`);
  return found;
}

describe('conflictDiff', () => {
  const root = rootInspection();

  it('puts each field side by side: merged where one side changed it, a conflict where both did', () => {
    const rows = diff([editOf(root, 'bbb', { title: 'Ours', site: 'Plant 5' }), editOf(root, 'aaa', { title: 'Theirs' })], root);
    expect(row(rows, 'title')).toEqual({
      path: 'title',
      label: 'Title',
      status: 'conflict',
      ancestor: 'Boiler room',
      cells: [
        { rev: '2-bbb', text: 'Ours', changed: true, choosable: true },
        { rev: '2-aaa', text: 'Theirs', changed: true, choosable: true },
      ],
      result: 'Ours',
    });
    expect(row(rows, 'site').status).toBe('merged');
    expect(row(rows, 'site').cells.map((cell) => cell.changed)).toEqual([true, false]);
    expect(row(rows, 'site').result).toBe('Plant 5');
    expect(row(rows, 'status').status).toBe('same');
    expect(rows.some((candidate) => candidate.path === 'createdBy' || candidate.path === 'updatedAt')).toBeFalse();
  });

  it('shows the chosen value as the result', () => {
    const leaves = [editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })];
    expect(row(diff(leaves, root, { title: '2-aaa' }), 'title').result).toBe('Theirs');
  });

  it('words codes and dates as the history does, not as stored', () => {
    const rows = diff(
      [editOf(root, 'bbb', { status: 'submitted', scheduledFor: '2026-04-01' }), editOf(root, 'aaa', { title: 'Theirs' })],
      root,
    );
    expect(row(rows, 'status')).toEqual(jasmine.objectContaining({ ancestor: 'Draft', result: 'Submitted' }));
    expect(row(rows, 'status').cells.map((cell) => cell.text)).toEqual(['Submitted', 'Draft']);
    expect(row(rows, 'scheduledFor').result).toBe(fieldValue('scheduledFor', '2026-04-01'));
    expect(row(rows, 'scheduledFor').result).not.toBe('2026-04-01');
  });

  it('matches checklist items by id, not position, and splits edited items into their fields', () => {
    const [c1, c2] = root['checklist'] as { id: string; label: string; result: string | null }[];
    const reordered = editOf(root, 'bbb', { checklist: [{ ...c2, result: 'pass' }, c1] });
    const edited = editOf(root, 'aaa', { checklist: [c1, { ...c2, result: 'fail' }] });
    const rows = diff([reordered, edited], root);
    expect(row(rows, 'checklist[c1]').status).toBe('same');
    const result = row(rows, 'checklist[c2].result');
    expect(result.label).toBe('Checklist: Gauges · Result');
    expect(result.status).toBe('conflict');
    expect(result.cells.map((cell) => cell.text)).toEqual(['Pass', 'Fail']);
    expect(result.ancestor).toBe('Not checked');
  });

  it('shows an item added on one side as one row', () => {
    const added = editOf(root, 'aaa', { checklist: [...(root['checklist'] as object[]), { id: 'c3', label: 'Vents', result: 'na' }] });
    const rows = diff([editOf(root, 'bbb', { title: 'Ours' }), added], root);
    expect(row(rows, 'checklist[c3]')).toEqual(jasmine.objectContaining({ status: 'merged', ancestor: '—', result: 'Vents: N/A' }));
  });

  it('compares photos by name and content', () => {
    const photo = (digest: string, length = 2048) => ({ content_type: 'image/jpeg', digest, length, stub: true });
    const base = editOf(root, 'p', { _attachments: { 'a.jpg': photo('md5-aaaaaaaa') } });
    const rows = diff(
      [
        editOf(base, 'bbb', { _attachments: { 'a.jpg': { ...photo('md5-aaaaaaaa'), revpos: 9 }, 'b.jpg': photo('md5-bbbbbbbb') } }),
        editOf(base, 'aaa', { _attachments: { 'a.jpg': photo('md5-cccccccc') } }),
      ],
      base,
    );
    expect(row(rows, '_attachments[a.jpg]').status).toBe('merged');
    expect(row(rows, '_attachments[a.jpg]').cells.map((cell) => cell.changed)).toEqual([false, true]);
    expect(row(rows, '_attachments[a.jpg]').result).toBe('Photo (2.0 kB, #cccccc)');
    expect(row(rows, '_attachments[b.jpg]').cells.map((cell) => cell.text)).toEqual(['Photo (2.0 kB, #bbbbbb)', '—']);
  });

  it('offers deleted vs edited as a choice, with the deleted version shown as such', () => {
    const rows = diff([editOf(root, 'aaa', { title: 'Edited' }), deletionOf(root, 'zzz')], root);
    expect(row(rows, '_deleted')).toEqual(jasmine.objectContaining({ status: 'conflict', ancestor: 'Not deleted' }));
    expect(row(rows, '_deleted').cells.map((cell) => [cell.text, cell.choosable])).toEqual([
      ['Not deleted', true],
      ['Deleted', true],
    ]);
    expect(row(rows, 'title').cells.map((cell) => cell.text)).toEqual(['Edited', '(deleted)']);
    expect(
      row(diff([editOf(root, 'aaa', { title: 'Edited' }), deletionOf(root, 'zzz')], root, { _deleted: '2-zzz' }), 'title').result,
    ).toBe('(deleted)');
  });

  it('without the ancestor, marks every difference as changed and has no ancestor column', () => {
    const rows = diff([editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Theirs' })], null);
    expect(row(rows, 'title')).toEqual(jasmine.objectContaining({ status: 'conflict', ancestor: null }));
    expect(row(rows, 'site').cells.every((cell) => cell.changed && cell.choosable)).toBeTrue();
    expect(row(rows, 'status').cells.some((cell) => cell.changed)).toBeFalse();
  });
});
