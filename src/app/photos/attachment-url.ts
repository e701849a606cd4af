import { DestroyRef, InjectionToken, Signal, effect, inject, signal } from '@angular/core';
import { ProgressListener } from './attachment-download';
import { PhotoCacheService } from './photo-cache.service';

/** Reads an attachment; one fetched from a server reports its bytes to `onProgress` as they arrive. */
export type AttachmentReader = (docId: string, name: string, onProgress?: ProgressListener) => Promise<Blob>;

/**
 * Where photos are read from: the local database, a full-size photo not held here fetched from
 * the server (PhotoCacheService), unless a page provides another source (the supervisor's review
 * reads the hub's).
 */
export const ATTACHMENT_SOURCE = new InjectionToken<AttachmentReader>('ATTACHMENT_SOURCE', {
  factory: () => {
    const photos = inject(PhotoCacheService);
    return (docId, name, onProgress) => photos.read({ docId, name }, onProgress);
  },
});

/**
 * An object URL for an attachment from the ATTACHMENT_SOURCE, following `source`; the URL is
 * revoked when replaced or when the owner is destroyed. Call in an injection context.
 */
export function attachmentUrl(source: Signal<{ docId: string; name: string } | null>): Signal<string | null> {
  const read = inject(ATTACHMENT_SOURCE);
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
    read(target.docId, target.name).then(
      (blob) => !cancelled && replace(URL.createObjectURL(blob)),
      () => !cancelled && replace(null),
    );
  });
  inject(DestroyRef).onDestroy(() => replace(null));
  return url.asReadonly();
}
