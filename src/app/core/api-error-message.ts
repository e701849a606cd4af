import { HttpErrorResponse } from '@angular/common/http';

/** A readable sentence for a failed call to the proxy's `/api`: CouchDB's `reason` when it gave one. */
export function apiErrorMessage(error: unknown, what: string): string {
  const sentence = (text: string) => `${what}: ${text}${/[.!?]$/.test(text) ? '' : '.'}`;
  if (!(error instanceof HttpErrorResponse)) return sentence(String((error as Error)?.message || error));
  if (error.status === 0) return sentence($localize`:@@api.unreachable:the server cannot be reached`);
  const reason = (error.error as { reason?: unknown } | null)?.reason;
  return sentence(typeof reason === 'string' && reason ? reason : $localize`:@@api.status:the server answered ${error.status}:status:`);
}
