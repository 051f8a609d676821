// Permission names of the API (internal/auth). The console renders controls by
// them; the API enforces them.
export const Perm = {
  AdvertiserRead: 'advertiser:read',
  AdvertiserWrite: 'advertiser:write',
  AdWrite: 'ad:write',
  ReportRead: 'report:read',
  ReportExport: 'report:export',
  UserManage: 'user:manage',
  AuditRead: 'audit:read',
  SystemRead: 'system:read',
  AlertRead: 'alert:read',
  AlertSubscribe: 'alert:subscribe',
  AlertAck: 'alert:ack',
  AlertManage: 'alert:manage',
  RuleRead: 'rule:read',
  RuleWrite: 'rule:write',
} as const
