import { ElementRef } from '@angular/core';

/**
 * After a refused password: the focus back in the field, its text selected to type over. Left
 * on the tapped button, Enter sent the same wrong password again, one more failure towards the
 * sign-in limit.
 */
export function retypePassword(field: ElementRef<HTMLInputElement>): void {
  field.nativeElement.focus();
  field.nativeElement.select();
}
