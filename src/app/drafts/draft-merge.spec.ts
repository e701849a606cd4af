import { MINE, THEIRS, changedSinceBase, mergeDraft, mergedValues } from './draft-merge';

describe('mergeDraft', () => {
  const item = (result: string | null, note = '') => ({ id: 'i1', label: 'Exits clear', result, note });
  const base = { title: 'Roof', notes: '', checklist: [item(null)] };

  it('merges what only one side changed, field by field and checklist item by item', () => {
    const mine = { ...base, notes: 'Ladder needed', checklist: [item('fail')] };
    const theirs = { ...base, title: 'Roof (north)' };
    const merge = mergeDraft({ base, mine, theirs });
    expect(merge.conflicts).toEqual([]);
    expect(mergedValues(merge)).toEqual({ title: 'Roof (north)', notes: 'Ladder needed', checklist: [item('fail')] });
  });

  it('asks for a choice where both changed the same field, and takes it', () => {
    const mine = { ...base, notes: 'Mine', checklist: [item('fail', 'Blocked')] };
    const theirs = { ...base, notes: 'Theirs', checklist: [item('pass')] };
    const merge = mergeDraft({ base, mine, theirs });
    expect(merge.conflicts.map((conflict) => conflict.path).sort()).toEqual(['checklist[i1].result', 'notes']);
    // The stored version first, so a conflict not chosen keeps it.
    expect(merge.leaves.map((leaf) => leaf._rev)).toEqual([THEIRS, MINE]);
    const chosen = mergeDraft({ base, mine, theirs }, { notes: MINE, 'checklist[i1].result': THEIRS });
    expect(mergedValues(chosen)).toEqual({ title: 'Roof', notes: 'Mine', checklist: [item('pass', 'Blocked')] });
  });

  it('compares the two versions only when the version typed on is not known', () => {
    const merge = mergeDraft({ base: null, mine: { ...base, notes: 'Mine' }, theirs: { ...base, title: 'Roof (north)' } });
    expect(merge.ancestor).toBeNull();
    expect(merge.conflicts.map((conflict) => conflict.path).sort()).toEqual(['notes', 'title']);
  });

  it('tells whether the stored version changed anything the form shows', () => {
    expect(changedSinceBase({ base, mine: base, theirs: { ...base } })).toBeFalse();
    expect(changedSinceBase({ base, mine: base, theirs: { ...base, notes: 'x' } })).toBeTrue();
  });
});
