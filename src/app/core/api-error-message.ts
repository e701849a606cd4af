import { HttpErrorResponse } from '@angular/common/http';
import { apiReasonMessage } from '../i18n/api-reason-messages';

/** A readable sentence for a failed call to the proxy's `/api`: the server's `reason` when it gave one, translated when known. */
export function apiErrorMessage(error: unknown, what: string): string {
  const sentence = (text: string) => {
    const reason = /[.!?]$/.test(text) ? text : `${text}.`;
    return $localize`:@@api.failed:${what}:what:: ${reason}:reason:`;
  };
  // Angular's HttpClient, or PouchDB (the hub): a failed fetch is a TypeError in the browser's language.
  const { status, reason } =
    error instanceof HttpErrorResponse
      ? { status: error.status, reason: (error.error as { reason?: unknown } | null)?.reason }
      : { status: (error as { status?: unknown } | null)?.status, reason: (error as { reason?: unknown } | null)?.reason };
  if (status === 0 || error instanceof TypeError) return sentence($localize`:@@api.unreachable:the server cannot be reached`);
  if (typeof reason === 'string' && reason) return sentence(apiReasonMessage(reason));
  if (typeof status === 'number') return sentence($localize`:@@api.status:the server answered ${status}:status:`);
  return sentence(String((error as Error)?.message || error));
}
