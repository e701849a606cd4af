import { MatDialog } from '@angular/material/dialog';
import { firstValueFrom } from 'rxjs';
import { ConfirmData, ConfirmDialog } from './confirm.dialog';

/** Opens the confirm dialog; resolves true only on an explicit confirmation. */
export async function confirm(dialog: MatDialog, data: ConfirmData): Promise<boolean> {
  const ref = dialog.open<ConfirmDialog, ConfirmData, boolean>(ConfirmDialog, { data });
  return (await firstValueFrom(ref.afterClosed())) === true;
}
