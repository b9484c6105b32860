// Permission codes of the training module (internal/training/permissions.go).
export const PERM_MODULE_READ = 'training.module.read'
export const PERM_MANAGE_GENERAL = 'training.module.manage_general'
export const PERM_MANAGE_PROFESSIONAL = 'training.module.manage_professional'
export const PERM_GRADE = 'training.work.grade'
export const PERM_PROGRAM_MANAGE = 'training.program.manage'
export const PERM_PROGRAM_READ = 'training.program.read'

/** may create catalogue modules of some kind */
export const PERMS_AUTHOR = [PERM_MANAGE_GENERAL, PERM_MANAGE_PROFESSIONAL]
export const PERM_SESSION_MANAGE = 'training.session.manage'
export const PERM_COST_MANAGE = 'training.cost.manage'
export const PERM_COST_READ = 'training.cost.read'
