package accounts

import (
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
)

// Audit actions written by this package (actor type system).
const (
	// AuditNeedsReauth: an authorisation died (refresh token expired,
	// invalid, or lost with a refresh answer); its advertisers stopped syncing.
	AuditNeedsReauth = "authorization.needs_reauth"
	// AuditSuperseded: a newer grant took over every account of an older one.
	AuditSuperseded = "authorization.superseded"
)

// auditActor names this package's background actor in the audit log.
const auditActor = "token-refresh"

func auditNeedsReauth(a mysql.Authorization, reason string, code int, requestID string, advertisers int, at time.Time) auth.AuditEntry {
	detail := map[string]any{"reason": reason, "advertisers": advertisers, "token_version": a.TokenVersion}
	if code != 0 {
		detail["oceanengine_code"] = code
	}
	if requestID != "" {
		detail["oceanengine_request_id"] = requestID
	}
	return auth.AuditEntry{At: at, ActorType: auth.ActorSystem, ActorName: auditActor, Action: AuditNeedsReauth,
		TargetType: "authorization", TargetID: strconv.FormatInt(a.ID, 10), Result: auth.ResultFailure, Detail: detail}
}
