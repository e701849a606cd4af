import { DestroyRef, Signal, effect, inject, signal } from '@angular/core';
import { DefectStoreService } from '../data/defect-store.service';

/**
 * An object URL for an attachment of the local database, following `source`; the URL is
 * revoked when replaced or when the owner is destroyed. Call in an injection context.
 */
export function attachmentUrl(source: Signal<{ docId: string; name: string } | null>): Signal<string | null> {
  const defects = inject(DefectStoreService);
  const url = signal<string | null>(null);
  let current: string | null = null;
  const replace = (next: string | null) => {
    if (current) URL.revokeObjectURL(current);
    current = next;
    url.set(next);
  };
  effect((onCleanup) => {
    const target = source();
    let cancelled = false;
    onCleanup(() => (cancelled = true));
    if (!target) return replace(null);
    defects.attachment(target.docId, target.name).then(
      (blob) => !cancelled && replace(URL.createObjectURL(blob)),
      () => !cancelled && replace(null),
    );
  });
  inject(DestroyRef).onDestroy(() => replace(null));
  return url.asReadonly();
}
