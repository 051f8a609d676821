package domain

import (
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Authorization is a row of oe_authorizations: one OAuth grant, its
// encrypted token pair and its refresh bookkeeping. Tokens are ciphertexts;
// this package never sees them in clear.
type Authorization struct {
	ID              int64
	AppID           int64
	Status          string
	StatusReason    string
	StatusChangedAt *time.Time
	OEUserID        int64
	OEUserName      string
	OEUserEmail     string
	GrantedAccounts []int64
	BoundBy         int64 // users.id; 0 when unknown
	KeyID           string
	AccessTokenEnc  []byte // nil when wiped
	RefreshTokenEnc []byte
	TokenVersion    int64
	// AccessExpiresAt and RefreshExpiresAt are zero when wiped.
	AccessExpiresAt     time.Time
	RefreshExpiresAt    time.Time
	RefreshedAt         *time.Time
	RefreshPendingSince *time.Time
	RefreshFailures     int
	LastRefreshError    string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// OceanEngine authorisation statuses (oe_authorizations.status). The sync
// engine syncs only advertisers whose authorisation is AuthActive.
const (
	AuthActive      = "active"
	AuthNeedsReauth = "needs_reauth"
	AuthRevoked     = "revoked"
)

// AuthLeftGrant is the auth status shown for an account bound to an active
// grant that no longer covers it (Advertiser.LeftGrantAt): it left the
// majordomo or agent account the grant was given for. Not a value of
// oe_authorizations.status.
const AuthLeftGrant = "left_grant"

// ErrLeftGrant is the error (KindConflict, reason advertiser_left_grant) of
// an account its grant no longer covers: nothing is asked of the platform
// for it until it is covered again.
func ErrLeftGrant(advertiserID, authID int64) error {
	e := apperr.Conflict("advertiser %d is no longer covered by OceanEngine authorisation #%d (it left the majordomo or agent account "+
		"the grant was given for): authorise it again or unbind it", advertiserID, authID).
		WithReason("advertiser_left_grant", "id", advertiserID, "authorization_id", authID)
	e.Data = map[string]any{"authorization_id": authID}
	return e
}

// ReauthAccount is an account whose grant needs re-authorisation: it keeps
// its data but is not synced until someone authorises it again.
type ReauthAccount struct {
	AdvertiserID    int64
	Name            string
	AccountRole     string
	AuthorizationID int64
	// Reason is the grant's status_reason (e.g. refresh_token_invalid) and
	// LastError the platform's last refresh error.
	Reason, LastError string
	// Since is when the grant stopped working.
	Since *time.Time
}
