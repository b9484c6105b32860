// The request types the UI has forms for (registered by the employee module). Other
// types are shown and edited generically from their field specs.
export const TYPE_BANK = 'employee.bank_account'
export const TYPE_RESIGN = 'employee.resignation'
export const TYPE_TRANSFER = 'employee.transfer'
export const TYPE_PROMOTION = 'employee.promotion'

export const KNOWN_TYPES = [TYPE_BANK, TYPE_RESIGN, TYPE_TRANSFER, TYPE_PROMOTION]

/** The transfer form serves both transfer and promotion requests. */
export const isTransferType = (type: string) => type === TYPE_TRANSFER || type === TYPE_PROMOTION

/** Fields each known form edits (also what it sends on resubmission). */
export const FORM_FIELDS: Record<string, string[]> = {
  [TYPE_BANK]: ['bankName', 'bankAccount'],
  [TYPE_RESIGN]: ['leaveDate', 'reason', 'note'],
  [TYPE_TRANSFER]: ['employeeId', 'reason', 'effectiveDate', 'departmentId', 'positionId', 'gradeId', 'managerId', 'note'],
  [TYPE_PROMOTION]: ['employeeId', 'effectiveDate', 'departmentId', 'positionId', 'gradeId', 'managerId', 'note'],
}

/** Fields the detail page does not list (shown elsewhere or internal). */
export const HIDDEN_FIELDS = new Set(['subjectDepartmentId', 'requestId'])

/** Reasons a transfer request may give (the employee module's change reasons). */
export const TRANSFER_REASONS = ['transfer', 'demote'] as const
