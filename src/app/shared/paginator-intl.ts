import { Injectable } from '@angular/core';
import { MatPaginatorIntl } from '@angular/material/paginator';
import { countFormat } from './count-format';

/** Material's paginator in the user's language (its own labels are English only). */
@Injectable()
export class LocalizedPaginatorIntl extends MatPaginatorIntl {
  private readonly formatCount = countFormat();

  override itemsPerPageLabel = $localize`:@@paginator.perPage:Per page`;
  override nextPageLabel = $localize`:@@paginator.next:Next page`;
  override previousPageLabel = $localize`:@@paginator.previous:Previous page`;
  override firstPageLabel = $localize`:@@paginator.first:First page`;
  override lastPageLabel = $localize`:@@paginator.last:Last page`;

  override getRangeLabel = (page: number, pageSize: number, length: number): string => {
    const count = this.formatCount;
    if (length === 0) return $localize`:@@paginator.none:0 of 0`;
    const first = page * pageSize + 1;
    const last = Math.min(length, (page + 1) * pageSize);
    return $localize`:@@paginator.range:${count(first)}:first:–${count(last)}:last: of ${count(length)}:total:`;
  };
}
