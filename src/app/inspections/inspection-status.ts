import { InspectionStatus } from '../../../domain/doc-types';

export const INSPECTION_STATUS_LABELS: Record<InspectionStatus, string> = {
  draft: $localize`:@@status.draft:Draft`,
  submitted: $localize`:@@status.submitted:Submitted`,
  approved: $localize`:@@status.approved:Approved`,
  rejected: $localize`:@@status.rejected:Rejected`,
};

export const INSPECTION_STATUSES = Object.keys(INSPECTION_STATUS_LABELS) as InspectionStatus[];
