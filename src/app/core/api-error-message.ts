import { HttpErrorResponse } from '@angular/common/http';
import { apiReasonMessage } from '../i18n/api-reason-messages';

/** A readable sentence for a failed call to the proxy's `/api`: the server's `reason` when it gave one, translated when known. */
export function apiErrorMessage(error: unknown, what: string): string {
  const sentence = (text: string) => {
    const reason = /[.!?]$/.test(text) ? text : `${text}.`;
    return $localize`:@@api.failed:${what}:what:: ${reason}:reason:`;
  };
  if (!(error instanceof HttpErrorResponse)) return sentence(String((error as Error)?.message || error));
  if (error.status === 0) return sentence($localize`:@@api.unreachable:the server cannot be reached`);
  const reason = (error.error as { reason?: unknown } | null)?.reason;
  return sentence(
    typeof reason === 'string' && reason ? apiReasonMessage(reason) : $localize`:@@api.status:the server answered ${error.status}:status:`,
  );
}
