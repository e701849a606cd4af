import { ComponentFixture, TestBed } from '@angular/core/testing';
import { signal } from '@angular/core';
import { EditNoticesComponent } from './edit-notices.component';

describe('EditNoticesComponent', () => {
  const changedElsewhere = signal(false);
  const failure = signal<string | null>(null);
  const reload = jasmine.createSpy('reload').and.resolveTo();
  let fixture: ComponentFixture<EditNoticesComponent>;

  beforeEach(async () => {
    changedElsewhere.set(false);
    failure.set(null);
    reload.calls.reset();
    fixture = TestBed.createComponent(EditNoticesComponent);
    fixture.componentRef.setInput('doc', { noun: 'defect', changedElsewhere, failure, reload });
    await fixture.whenStable();
  });

  const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  it('shows nothing while all is well', () => {
    expect(fixture.nativeElement.textContent.trim()).toBe('');
  });

  it('says the document changed elsewhere and reloads it on request', async () => {
    changedElsewhere.set(true);
    await fixture.whenStable();
    expect(one('changed-elsewhere')!.textContent).toContain('This defect was changed elsewhere while you were editing.');
    one('reload-doc')!.click();
    expect(reload).toHaveBeenCalled();
  });

  it('shows why a save failed, as an alert', async () => {
    failure.set('Saving failed: disk full. Your changes are still here; try again.');
    await fixture.whenStable();
    expect(one('save-failure')!.getAttribute('role')).toBe('alert');
    expect(one('save-failure')!.textContent).toContain('disk full');
  });
});
