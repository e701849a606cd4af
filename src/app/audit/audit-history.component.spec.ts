import { TestBed } from '@angular/core/testing';
import { Observable, of, throwError } from 'rxjs';
import { auditEntry } from '../../../domain/audit-entry';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { AuditEntry } from '../../../domain/doc-types';
import { inspection } from '../../../test/fixtures/documents';
import { AuditHistoryComponent } from './audit-history.component';
import { AUDIT_SOURCE } from './audit-source';

describe('AuditHistoryComponent', () => {
  function render(entries: Observable<AuditEntry[]>): HTMLElement {
    TestBed.configureTestingModule({ providers: [{ provide: AUDIT_SOURCE, useValue: { entries: () => entries } }] });
    const fixture = TestBed.createComponent(AuditHistoryComponent);
    fixture.componentRef.setInput('docId', 'inspection:1');
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  function changeLines(element: HTMLElement): string[] {
    return [...element.querySelectorAll('[data-testid="audit-change"]')].map((line) => line.textContent!.replace(/\s+/g, ' ').trim());
  }

  const stamp = { updatedBy: 'sam', updatedAt: '2026-03-02T10:00:00.000Z', deviceId: 'device-0a1b2c3d4e' };

  it('shows a reassignment as the inspector it went from and to, not as the bookkeeping field that tells the proxy', () => {
    const before = inspection('ana', { _rev: '3-aaa', assignedTo: 'ana' });
    const again = inspection('ana', { _rev: '4-bbb', assignedTo: 'bob', unassignedFrom: 'ana' });
    const first = auditEntry({ before, after: again, stamp }, 'r1');
    const third = { ...again, assignedTo: 'cy', unassignedFrom: 'bob' };
    const second = auditEntry({ before: again, after: third, stamp }, 'r2');
    expect(changeLines(render(of([second])))).toEqual(['Inspector: bob → cy']);
    TestBed.resetTestingModule();
    expect(changeLines(render(of([first])))).toEqual(['Inspector: ana → bob']);
  });

  it('names the creator an inspection was taken from when it had no inspector assigned', () => {
    const before = inspection('ana', { _rev: '3-aaa' });
    const after = { ...before, assignedTo: 'bob', unassignedFrom: 'ana' };
    const entry = auditEntry({ before, after, stamp }, 'r1');
    expect(changeLines(render(of([entry])))).toEqual(['Inspector: ana → bob']);
  });

  it('says an automatic merge was made by no device in particular, in words rather than its code', () => {
    const record = inspection('ana', { _rev: '2-bbb' });
    const merged = { ...record, title: 'Merged' };
    const entry = auditEntry({ before: record, after: merged, stamp: { ...stamp, deviceId: AUTO_MERGE_DEVICE_ID }, merge: true }, 'r1');
    const device = render(of([entry]))
      .querySelector('[data-testid="audit-device"]')!
      .textContent!.trim();
    expect(device).toBe('Automatic merge');
  });

  it('says the history could not be read rather than that nothing was saved', () => {
    spyOn(console, 'error');
    const element = render(throwError(() => new Error('hub unreachable')));
    expect(element.textContent).not.toContain('No saves recorded yet.');
    expect(element.querySelector('[data-testid="audit-unread"]')).not.toBeNull();
  });
});
