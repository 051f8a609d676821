package accounts

import (
	"errors"
	"fmt"

	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Reasons an authorisation needs re-authorisation or was revoked
// (oe_authorizations.status_reason).
const (
	ReasonRefreshTokenExpired = "refresh_token_expired" // 40103
	ReasonRefreshTokenInvalid = "refresh_token_invalid" // 40107 (used, revoked, unknown)
	// ReasonRefreshLost: a refresh was applied by the platform but its answer
	// (the new pair) never reached us, so the old refresh token is dead.
	ReasonRefreshLost = "refresh_response_lost"
	ReasonUnbound     = "unbound"
	ReasonSuperseded  = "superseded"
)

// ReauthError says that an authorisation is dead until a person authorises
// the accounts again. It satisfies oceanengine.NeedsReauth: it wraps the
// platform's 40103/40107 answer, or one standing for the stored status.
type ReauthError struct {
	AuthorizationID int64
	Reason          string
	// Err is the *oceanengine.APIError behind it.
	Err error
}

func (e *ReauthError) Error() string {
	return fmt.Sprintf("accounts: authorisation %d needs re-authorisation (%s): %v", e.AuthorizationID, e.Reason, e.Err)
}

// Unwrap exposes the platform error (and through it the apperr kind forbidden
// with reason oceanengine_reauthorization_required).
func (e *ReauthError) Unwrap() error { return e.Err }

// reauthError builds a ReauthError for a stored status, with a stand-in
// platform error so oceanengine.NeedsReauth and apperr classify it.
func reauthError(authID int64, reason string) *ReauthError {
	code := oceanengine.CodeRefreshInvalid
	if reason == ReasonRefreshTokenExpired {
		code = oceanengine.CodeRefreshExpired
	}
	return &ReauthError{AuthorizationID: authID, Reason: reason, Err: &oceanengine.APIError{
		Code: code, Endpoint: "oauth2/refresh_token",
		Message: fmt.Sprintf("authorisation %d needs re-authorisation (%s)", authID, reason),
	}}
}

// IsReauth reports whether err says an authorisation needs re-authorisation
// (ours or the platform's 40103/40105/40107).
func IsReauth(err error) bool {
	var re *ReauthError
	return errors.As(err, &re) || oceanengine.NeedsReauth(err)
}
