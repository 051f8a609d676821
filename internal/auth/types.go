package auth

import "time"

// User statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// User is a person who signs in to the API. It never carries the password hash.
type User struct {
	ID                int64
	Username          string
	DisplayName       string
	Email             string
	Status            string
	Roles             []string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	PasswordChangedAt time.Time
	// PasswordMustChange: the user must choose a new password before doing
	// anything else (an admin set this one for them).
	PasswordMustChange bool
	// MFAEnabled: two-step verification is on.
	MFAEnabled  bool
	LastLoginAt *time.Time
	// Advertisers counts the accounts in the user's data scope (assigned, or
	// of their clients; an admin's scope is every account whatever it says),
	// Clients the clients given to them.
	Advertisers, Clients int
}

// Credentials is what login needs of a user: never leaves the auth service.
type Credentials struct {
	UserID       int64
	Username     string
	PasswordHash string
	Status       string
	// PasswordMustChange and PasswordChangedAt tell a temporary password
	// (one an admin set for the user to replace) and its age.
	PasswordMustChange bool
	PasswordChangedAt  time.Time
	// MFAEnabled: a code is needed after the password.
	MFAEnabled bool
}

// MFA is a user's two-step verification as stored.
type MFA struct {
	// Secret is the TOTP secret as sealed by the Service's Sealer; nil when
	// there is none, not even one waiting for its first code.
	Secret []byte
	// EnabledAt is when it was turned on; nil while off (a Secret is then
	// a setup waiting for its first code).
	EnabledAt *time.Time
	// LastStep is the last TOTP time step a code was accepted for.
	LastStep int64
	// RecoveryLeft counts the unused recovery codes.
	RecoveryLeft int
}

// NewUser is a user to create. PasswordHash is a bcrypt hash (the Service
// hashes; stores never see plain passwords).
type NewUser struct {
	Username     string
	DisplayName  string
	Email        string
	PasswordHash string
	Roles        []string
	// PasswordMustChange makes the user choose a new password at sign-in.
	PasswordMustChange bool
}

// UserUpdate changes profile fields; nil leaves a field as it is.
type UserUpdate struct {
	DisplayName *string
	Email       *string
}

// UserFilter selects users for listing.
type UserFilter struct {
	// Query matches a substring of username, display name or email.
	Query  string
	Status string
	Role   string
	// ClientID keeps the users given that client.
	ClientID int64
	Limit    int
	Offset   int
}

// Session is one login: the family of refresh tokens issued from it. Access
// tokens carry its id (sid); revoking it denies them all.
type Session struct {
	ID     string
	UserID int64
	// RefreshJTI is the jti of the only refresh token of the family that may
	// still be used; presenting any older one revokes the session (but for
	// PrevRefreshJTI within the service's RefreshGrace, see Service.Refresh).
	RefreshJTI string
	// PrevRefreshJTI is the jti the last rotation (at RefreshedAt) spent.
	PrevRefreshJTI string
	CreatedAt      time.Time
	RefreshedAt    time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
	RevokeReason   string
	IP             string
	UserAgent      string
}

// Active reports whether the session may still be used at now.
func (s Session) Active(now time.Time) bool { return s.RevokedAt == nil && now.Before(s.ExpiresAt) }

// Reasons a session is revoked (user_sessions.revoke_reason).
const (
	RevokeLogout         = "logout"
	RevokeRefreshReuse   = "refresh_reuse"
	RevokeUserDisabled   = "user_disabled"
	RevokePasswordChange = "password_change"
	// RevokeSelf: the user ended one of their other sessions themselves.
	RevokeSelf = "user_revoked"
)

// Audit actor types.
const (
	ActorUser   = "user"
	ActorSystem = "system"
	ActorRule   = "rule"
)

// Audit results.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
	// ResultDenied is a request refused for missing or bad credentials or permission.
	ResultDenied = "denied"
)

// AuditEntry is one row of the audit log: who did what to what, when, from
// where, with which result. Never put passwords, tokens or other secrets in
// any field, Detail included.
type AuditEntry struct {
	ID int64
	// At is when it happened (UTC); zero means now.
	At time.Time
	// ActorType is ActorUser, ActorSystem or ActorRule.
	ActorType string
	// ActorID is the user id (0 for system actors or unknown callers).
	ActorID int64
	// ActorName is the username, job or rule name.
	ActorName string
	IP        string
	UserAgent string
	// Action is a dotted verb such as "user.create", "auth.login", "ad.update_budget".
	Action     string
	TargetType string
	TargetID   string
	// Result is ResultSuccess, ResultFailure or ResultDenied.
	Result string
	// Status is the HTTP status of a request (0 outside HTTP).
	Status    int
	RequestID string
	// Detail is small, non-secret structured context (JSON object).
	Detail map[string]any
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	ActorType  string
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string
	Result     string
	RequestID  string
	From, To   time.Time
	Limit      int
	Offset     int
	// Beyond, when its ID is set, lists only the entries after it in the
	// order (older): a reader of every page goes on from the last entry it
	// read instead of an offset. Such a page is not counted (total -1).
	Beyond AuditEntry
}

// Grants are what puts advertisers in a user's data scope: accounts assigned
// one by one, and clients, whose accounts (those moved in later too) are in
// the scope while they belong to the client.
type Grants struct {
	AdvertiserIDs []int64
	// ClientIDs: nil leaves a user's clients as they are when grants are set.
	ClientIDs []int64
	// Advertisers counts the accounts in the scope (read only): those
	// assigned and those of the clients, each once.
	Advertisers int
}
