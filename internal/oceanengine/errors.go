package oceanengine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Platform codes that drive behaviour (see the API guide).
const (
	CodeOK               = 0
	CodeParam            = 40001
	CodeNoPermission     = 40002
	CodeFilterField      = 40003
	CodeTooFrequent      = 40100
	CodeInvalidApp       = 40101
	CodeAccessExpired    = 40102
	CodeRefreshExpired   = 40103
	CodeAccessEmpty      = 40104
	CodeAccessInvalid    = 40105
	CodeRefreshInvalid   = 40107
	CodeGrantType        = 40108
	CodeDeveloperLimited = 40110
	CodeSystem           = 50000
)

// ReasonReauthorize is the `reason` in the apperr Data of errors that need the
// account to be authorised again (NeedsReauth).
const ReasonReauthorize = "oceanengine_reauthorization_required"

// APIError is a business error: the platform answered (HTTP 200) with a
// non-zero code. Message is the platform's text with any credential of the
// call removed.
type APIError struct {
	Code      int
	Message   string
	RequestID string
	Endpoint  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("oceanengine: %s: code %d: %s (request_id %s)", e.Endpoint, e.Code, e.Message, e.RequestID)
}

// Unwrap exposes the error's apperr classification (see AppError).
func (e *APIError) Unwrap() error { return e.appErr() }

func (e *APIError) appErr() *apperr.Error {
	data := map[string]any{"endpoint": e.Endpoint, "oceanengine_code": e.Code, "oceanengine_request_id": e.RequestID}
	switch {
	case isRateCode(e.Code):
		return (&apperr.Error{Kind: apperr.KindRateLimited, Message: "oceanengine: quota exceeded, retry later", Data: data}).
			WithReason("upstream_rate_limited")
	case isReauthCode(e.Code):
		data["reason"] = ReasonReauthorize
		return (&apperr.Error{Kind: apperr.KindForbidden, Message: "oceanengine: the account's authorisation is no longer valid; authorise it again", Data: data}).
			WithReason("grant_needs_reauth")
	case RefusesAccount(e.Code):
		return (&apperr.Error{Kind: apperr.KindForbidden, Message: "oceanengine: " + e.Message, Data: data}).
			WithReason("upstream_forbidden", "code", e.Code, "message", e.Message)
	}
	return (&apperr.Error{Kind: apperr.KindUpstream, Message: fmt.Sprintf("oceanengine: %s (code %d)", e.Message, e.Code), Data: data}).
		WithReason("upstream_error", "code", e.Code, "message", e.Message)
}

func isRateCode(c int) bool { return c == CodeTooFrequent || c == CodeDeveloperLimited }
func isReauthCode(c int) bool {
	return c == CodeRefreshExpired || c == CodeAccessInvalid || c == CodeRefreshInvalid
}
func isAccountCode(c int) bool { return c >= 40300 && c <= 40305 }

// RefusesAccount reports a code by which the platform refuses to act on the
// account (no permission, 40002; the account disabled or blacklisted,
// 40300–40305): trying again cannot help until someone restores it there.
func RefusesAccount(code int) bool { return code == CodeNoPermission || isAccountCode(code) }

// HTTPError is an answer that is not a JSON envelope: a non-200 status (a
// gateway error page) or a 200 whose body is not a JSON object with a code.
type HTTPError struct {
	StatusCode  int
	Endpoint    string
	ContentType string
	// Body is the start of the body (at most 200 bytes), credentials removed.
	Body string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("oceanengine: %s: HTTP %d (%s): %q", e.Endpoint, e.StatusCode, e.ContentType, e.Body)
}

// Unwrap exposes the error's apperr classification.
func (e *HTTPError) Unwrap() error {
	k := apperr.KindUpstream
	if e.StatusCode == 429 {
		k = apperr.KindRateLimited
	}
	return (&apperr.Error{Kind: k, Message: fmt.Sprintf("oceanengine: %s answered HTTP %d", e.Endpoint, e.StatusCode),
		Data: map[string]any{"endpoint": e.Endpoint, "http_status": e.StatusCode}}).
		WithReason("upstream_http", "endpoint", e.Endpoint, "status", e.StatusCode)
}

// TransportError is a failure to exchange a request and its response:
// connection refused or reset, timeout, or a body cut short.
type TransportError struct {
	Endpoint string
	// Timeout is set when the attempt ran out of time (oceanengine.timeout).
	Timeout bool
	// Sent is false only when the request provably never reached the
	// platform (the connection could not be opened).
	Sent bool
	// Err is the cause, without the request URL (which may hold credentials).
	Err error
}

func (e *TransportError) Error() string {
	what := "transport error"
	if e.Timeout {
		what = "timeout"
	}
	return fmt.Sprintf("oceanengine: %s: %s: %v", e.Endpoint, what, e.Err)
}

// Unwrap exposes the cause and the apperr classification.
func (e *TransportError) Unwrap() []error {
	return []error{e.Err, (&apperr.Error{Kind: apperr.KindUpstream, Message: "oceanengine: " + e.Endpoint + " did not answer",
		Data: map[string]any{"endpoint": e.Endpoint}}).WithReason("upstream_no_answer", "endpoint", e.Endpoint)}
}

// DecodeError is a JSON envelope whose data does not have the expected shape.
type DecodeError struct {
	Endpoint  string
	RequestID string
	Err       error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("oceanengine: %s: decode response (request_id %s): %v", e.Endpoint, e.RequestID, e.Err)
}

// Unwrap exposes the cause and the apperr classification.
func (e *DecodeError) Unwrap() []error {
	return []error{e.Err, (&apperr.Error{Kind: apperr.KindUpstream, Message: "oceanengine: " + e.Endpoint + " answered an unexpected response",
		Data: map[string]any{"endpoint": e.Endpoint, "oceanengine_request_id": e.RequestID}}).WithReason("upstream_unexpected", "endpoint", e.Endpoint)}
}

// BreakerOpenError is returned without calling the platform while the
// circuit breaker of the endpoint's group is open after repeated failures.
type BreakerOpenError struct {
	Group    string
	Endpoint string
}

func (e *BreakerOpenError) Error() string {
	return fmt.Sprintf("oceanengine: %s: circuit breaker of group %s is open", e.Endpoint, e.Group)
}

// Unwrap exposes the apperr classification.
func (e *BreakerOpenError) Unwrap() error {
	return (&apperr.Error{Kind: apperr.KindUnavailable, Message: "oceanengine is failing; retry later",
		Data: map[string]any{"endpoint": e.Endpoint}}).WithReason("upstream_failing", "endpoint", e.Endpoint)
}

// QuotaWaitError is returned when the context ended while waiting for the
// shared quota.
type QuotaWaitError struct {
	Group    string
	Endpoint string
	Err      error
}

func (e *QuotaWaitError) Error() string {
	return fmt.Sprintf("oceanengine: %s: waiting for quota of group %s: %v", e.Endpoint, e.Group, e.Err)
}

// Unwrap exposes the cause (a context error) and the apperr classification.
func (e *QuotaWaitError) Unwrap() []error {
	return []error{e.Err, (&apperr.Error{Kind: apperr.KindRateLimited, Message: "oceanengine: quota exhausted, retry later",
		Data: map[string]any{"endpoint": e.Endpoint}}).WithReason("upstream_rate_limited")}
}

// OutcomeUnknownError wraps the failure of a non-idempotent write that may
// nevertheless have been applied (timeout, connection lost after sending,
// system error). The client does not retry it: re-read the entity, then
// decide.
type OutcomeUnknownError struct {
	Endpoint string
	Err      error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("oceanengine: %s: outcome of the write is unknown: %v", e.Endpoint, e.Err)
}

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// ItemError is one rejected item of a batch write.
type ItemError struct {
	ID      int64  `json:"id"`
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

// BatchError reports the items a batch write rejected inside a successful
// (code 0) answer; the others were applied.
type BatchError struct {
	Endpoint  string
	RequestID string
	Succeeded []int64
	Failed    []ItemError
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oceanengine: %s: %d item(s) rejected (request_id %s)", e.Endpoint, len(e.Failed), e.RequestID)
	for i, f := range e.Failed {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failed)-3)
			break
		}
		fmt.Fprintf(&b, "; %d: %s", f.ID, f.Message)
	}
	return b.String()
}

// Unwrap exposes the apperr classification: validation_failed, with the
// per-item outcome as Data.
func (e *BatchError) Unwrap() error {
	return (&apperr.Error{Kind: apperr.KindValidation,
		Message: fmt.Sprintf("oceanengine rejected %d of %d item(s)", len(e.Failed), len(e.Failed)+len(e.Succeeded)),
		Data:    map[string]any{"endpoint": e.Endpoint, "succeeded": e.Succeeded, "failed": e.Failed, "oceanengine_request_id": e.RequestID}}).
		WithReason("upstream_rejected_items", "n", len(e.Failed), "total", len(e.Failed)+len(e.Succeeded))
}

// ---- classifiers ----

func apiCode(err error) (int, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code, true
	}
	return 0, false
}

// IsRateLimited reports a quota refusal (40100, 40110, HTTP 429) or a context
// that ended while waiting for quota.
func IsRateLimited(err error) bool {
	if c, ok := apiCode(err); ok && isRateCode(c) {
		return true
	}
	var he *HTTPError
	var qe *QuotaWaitError
	return (errors.As(err, &he) && he.StatusCode == 429) || errors.As(err, &qe)
}

// IsTokenExpired reports 40102: the access token expired (the client already
// refreshed once and retried; seeing it means the fresh token failed too).
func IsTokenExpired(err error) bool {
	c, ok := apiCode(err)
	return ok && c == CodeAccessExpired
}

// NeedsReauth reports that the account must be authorised again by a person:
// refresh token expired (40103), access token invalid after a refresh attempt
// (40105) or refresh token invalid (40107).
func NeedsReauth(err error) bool {
	c, ok := apiCode(err)
	return ok && isReauthCode(c)
}

// IsNoPermission reports 40002: the token's grant does not reach the
// account named (or the account does not exist).
func IsNoPermission(err error) bool {
	c, ok := apiCode(err)
	return ok && c == CodeNoPermission
}

// IsAccountDisabled reports 40300–40305 (advertiser disabled, blacklisted...).
func IsAccountDisabled(err error) bool {
	c, ok := apiCode(err)
	return ok && isAccountCode(c)
}

// IsOutcomeUnknown reports a write that failed in a way that does not prove
// it was not applied.
func IsOutcomeUnknown(err error) bool {
	var oe *OutcomeUnknownError
	return errors.As(err, &oe)
}

// IsRetryable reports a transient failure that trying again later may cure:
// 40100, 40110, 50000, HTTP 5xx and 429, timeouts, connection errors and an
// open circuit breaker. A write of unknown outcome is not retryable as is.
func IsRetryable(err error) bool {
	if err == nil || IsOutcomeUnknown(err) {
		return false
	}
	if c, ok := apiCode(err); ok {
		return isRateCode(c) || c == CodeSystem
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.StatusCode >= 500 || he.StatusCode == 429
	}
	var te *TransportError
	var be *BreakerOpenError
	return errors.As(err, &te) || errors.As(err, &be)
}

// IsPermanent reports a failure of the client or the platform that repeating
// the same request cannot cure: parameter and permission errors, invalid app,
// re-authorisation needed, rejected batch items, unexpected responses.
func IsPermanent(err error) bool {
	if err == nil || IsRetryable(err) || IsTokenExpired(err) || IsOutcomeUnknown(err) {
		return false
	}
	var (
		ae *APIError
		he *HTTPError
		de *DecodeError
		be *BatchError
	)
	return errors.As(err, &ae) || errors.As(err, &he) || errors.As(err, &de) || errors.As(err, &be)
}

// AppError returns err classified in the apperr vocabulary: errors of this
// package already are (apperr.KindOf works on them directly); anything else
// (a TokenSource failure without a kind, a bug) becomes KindUpstream.
func AppError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	return apperr.Wrap(err, apperr.KindUpstream, "oceanengine: request failed").WithReason("upstream_failed")
}

// scrub removes credentials from text that came back from the platform or
// the transport, so errors and logs never carry them.
func scrub(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}
