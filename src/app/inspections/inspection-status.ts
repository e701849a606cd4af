import { InspectionStatus } from '../../../domain/doc-types';

export const INSPECTION_STATUS_LABELS: Record<InspectionStatus, string> = {
  draft: 'Draft',
  submitted: 'Submitted',
  approved: 'Approved',
  rejected: 'Rejected',
};

export const INSPECTION_STATUSES = Object.keys(INSPECTION_STATUS_LABELS) as InspectionStatus[];
