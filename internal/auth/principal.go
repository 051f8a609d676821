// Package auth is the domain of users, sessions and permissions: who the
// caller is (Principal), what they may do (permissions of their roles), which
// advertisers they may see (Scope), the password policy, the JWT formats, and
// the Service that logs users in, rotates refresh tokens and revokes sessions.
//
// It holds no SQL and no Redis code: it defines the small interfaces it needs
// (Store, LoginGuard, Denylist), implemented by internal/mysql and
// internal/redis. See docs/security.md for the contract as a whole.
package auth

import (
	"slices"
	"time"
)

// Built-in roles. Their permissions are seeded by migration 00010 and
// listed in RolePermissions.
const (
	// RoleAdmin may do everything and sees every advertiser.
	RoleAdmin = "admin"
	// RoleOperator (an optimiser) reads and changes the advertisers assigned to them.
	RoleOperator = "operator"
	// RoleViewer reads the advertisers assigned to them.
	RoleViewer = "viewer"
	// RoleAnalyst reads the advertisers assigned to them and exports their
	// reports, changing nothing (migration 00110).
	RoleAnalyst = "analyst"
)

// Permissions, checked per route with httpapi's requirePerm. A new
// permission needs a migration that inserts it (and grants it to roles).
const (
	PermAdvertiserRead  = "advertiser:read"
	PermAdvertiserWrite = "advertiser:write"
	PermAdWrite         = "ad:write"
	PermReportRead      = "report:read"
	PermReportExport    = "report:export"
	PermUserManage      = "user:manage"
	PermAuditRead       = "audit:read"
	// PermSystemRead sees the detailed health of the system (migration 00060).
	PermSystemRead = "system:read"
	// Alert permissions (migration 00070): read alerts in one's scope,
	// manage one's own channels and subscriptions, acknowledge, and manage
	// everyone's plus teams and thresholds.
	PermAlertRead      = "alert:read"
	PermAlertSubscribe = "alert:subscribe"
	PermAlertAck       = "alert:ack"
	PermAlertManage    = "alert:manage"
	// Rule permissions (migration 00091): see automated rules and their
	// history; create, change, enable and disable them.
	PermRuleRead  = "rule:read"
	PermRuleWrite = "rule:write"
)

// Roles lists the built-in roles.
func Roles() []string { return []string{RoleAdmin, RoleOperator, RoleAnalyst, RoleViewer} }

// RolePermissions is what migrations 00010, 00060, 00070, 00091 and 00110 grant each built-in role. The
// database is the source of truth at run time; this copy documents it and
// lets tests check the two agree.
func RolePermissions() map[string][]string {
	return map[string][]string{
		RoleAdmin: {PermAdWrite, PermAdvertiserRead, PermAdvertiserWrite, PermAlertAck, PermAlertManage, PermAlertRead,
			PermAlertSubscribe, PermAuditRead, PermReportExport, PermReportRead, PermRuleRead, PermRuleWrite, PermSystemRead, PermUserManage},
		RoleOperator: {PermAdWrite, PermAdvertiserRead, PermAdvertiserWrite, PermAlertAck, PermAlertRead, PermAlertSubscribe,
			PermReportExport, PermReportRead, PermRuleRead, PermRuleWrite},
		RoleAnalyst: {PermAdvertiserRead, PermAlertRead, PermAlertSubscribe, PermReportExport, PermReportRead, PermRuleRead},
		RoleViewer:  {PermAdvertiserRead, PermAlertRead, PermAlertSubscribe, PermReportRead, PermRuleRead},
	}
}

// Principal is the authenticated caller of a request: the user, the session
// the access token belongs to, and the permissions of the user's roles as
// they are now (loaded per request or kept for security.principal_cache_ttl;
// every change through the Service drops the kept ones at once).
type Principal struct {
	UserID    int64
	Username  string
	SessionID string
	// Roles and Permissions are sorted.
	Roles       []string
	Permissions []string
	// Profile is the user's profile as loaded with the principal.
	Profile Profile
	// PasswordMustChange is set while the user signs in with a password an
	// admin chose for them: they may change it and sign out, nothing else.
	PasswordMustChange bool
	// MFAEnabled: two-step verification is on for the user.
	MFAEnabled bool
	// MustEnableMFA is set while one of the user's roles requires two-step
	// verification (security.mfa_required_roles) and it is off: they may set
	// it up, change their password and sign out, nothing else.
	MustEnableMFA bool
}

// Profile is what a user is called and was last seen as.
type Profile struct {
	DisplayName string
	Email       string
	LastLoginAt *time.Time
}

// Can reports whether the principal holds perm.
func (p Principal) Can(perm string) bool {
	_, ok := slices.BinarySearch(p.Permissions, perm)
	return ok
}

// IsAdmin reports whether the principal has the admin role.
func (p Principal) IsAdmin() bool {
	_, ok := slices.BinarySearch(p.Roles, RoleAdmin)
	return ok
}

// AllAdvertisers reports whether the principal's data scope is every
// advertiser (admins) rather than the ones assigned to them.
func (p Principal) AllAdvertisers() bool { return p.IsAdmin() }

// Scope is the principal's data scope, to pass to store methods.
func (p Principal) Scope() Scope {
	return Scope{UserID: p.UserID, All: p.AllAdvertisers()}
}

// Scope limits which advertisers a query may see. Store methods that read or
// change advertiser data take one and render it into SQL (internal/mysql's
// scopeClause), so an advertiser outside the scope is simply not found.
//
// The zero Scope sees nothing (no user has id 0): forgetting to set it fails
// closed.
type Scope struct {
	// UserID is the user whose assigned advertisers (user_advertisers) are visible.
	UserID int64
	// All makes every advertiser visible (admins, and system jobs).
	All bool
}

// SystemScope is the scope of background jobs acting for the system: every advertiser.
func SystemScope() Scope { return Scope{All: true} }

// UserScope is the scope of a non-admin user.
func UserScope(userID int64) Scope { return Scope{UserID: userID} }

// NewPrincipal builds a principal, sorting and de-duplicating roles and
// permissions (Can and IsAdmin rely on the order).
func NewPrincipal(userID int64, username, sessionID string, roles, perms []string) Principal {
	return Principal{UserID: userID, Username: username, SessionID: sessionID,
		Roles: sortedSet(roles), Permissions: sortedSet(perms)}
}

func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
