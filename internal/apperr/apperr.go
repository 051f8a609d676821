// Package apperr is the one error vocabulary of the system. Stores, services
// and clients wrap their failures in an *Error with a Kind (or wrap one with %w);
// the HTTP layer maps kinds to statuses in exactly one place.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error by what the caller can do about it.
type Kind string

// The kinds. Their string values are the stable `code` of API error responses.
const (
	KindInternal     Kind = "internal"          // a bug or an unexpected failure; details stay in logs
	KindInvalid      Kind = "invalid_request"   // malformed input (bad JSON, wrong type)
	KindValidation   Kind = "validation_failed" // well-formed input that breaks a rule; Fields say which
	KindUnauthorized Kind = "unauthorized"      // no or bad credentials
	KindForbidden    Kind = "forbidden"         // authenticated, but not allowed
	KindNotFound     Kind = "not_found"         // absent, or outside the caller's data scope
	KindConflict     Kind = "conflict"          // state conflict, duplicate, concurrent request
	KindTooLarge     Kind = "payload_too_large" // request body over the limit
	KindRateLimited  Kind = "rate_limited"      // caller or upstream quota exhausted
	KindUpstream     Kind = "upstream_error"    // OceanEngine (or another dependency) failed
	KindUnavailable  Kind = "unavailable"       // a dependency is down; retry later
)

// FieldError names one offending input field. Rule and Params, where set,
// say what Message says in a form a client can put in its own language:
// the rule's name (min_daily_budget) and its figures ({"min": "300.00"}).
type FieldError struct {
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Rule    string            `json:"rule,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

// Because returns f naming the rule it breaks, with params as name, value
// pairs (values formatted with %v).
func (f FieldError) Because(rule string, params ...any) FieldError {
	f.Rule = rule
	f.Params = pairs(params)
	return f
}

// pairs is params (name, value pairs) as a map of strings, values formatted
// with %v; nil when there is no pair.
func pairs(params []any) map[string]string {
	if len(params) < 2 {
		return nil
	}
	m := make(map[string]string, len(params)/2)
	for i := 0; i+1 < len(params); i += 2 {
		m[fmt.Sprint(params[i])] = fmt.Sprint(params[i+1])
	}
	return m
}

// RuleError is a check's failure that names its rule (see FieldError.Rule),
// for checks that return an error rather than a FieldError.
type RuleError struct {
	Message string
	Rule    string
	Params  []any // name, value pairs
}

func (e *RuleError) Error() string { return e.Message }

// Breaks returns a RuleError: the message from format and args, the rule
// and its params (name, value pairs).
func Breaks(rule string, params []any, format string, args ...any) error {
	return &RuleError{Message: fmt.Sprintf(format, args...), Rule: rule, Params: params}
}

// FieldFor is the FieldError for field refused by err: err's message, and
// its rule when err is (or wraps) a RuleError.
func FieldFor(field string, err error) FieldError {
	f := FieldError{Field: field, Message: err.Error()}
	var re *RuleError
	if errors.As(err, &re) {
		f = f.Because(re.Rule, re.Params...)
	}
	return f
}

// Error is an error with a Kind, a message safe to show to the caller, and
// optionally its reason, the offending fields and the underlying cause
// (never shown).
type Error struct {
	Kind    Kind
	Message string
	// Reason and Params, where set, say what Message says in a form a client
	// can put in its own language: the situation's name
	// (rule_version_conflict) and its figures ({"current": "4", "expected":
	// "3"}). Errors with Fields name their rules there instead.
	Reason string
	Params map[string]string
	Fields []FieldError
	// Data is optional structured detail safe to show to the caller
	// (for example per-item results of a partly failed batch).
	Data any
	Err  error
}

func (e *Error) Error() string {
	msg := string(e.Kind) + ": " + e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap exposes the cause to errors.Is/As.
func (e *Error) Unwrap() error { return e.Err }

// WithReason sets e's reason and its params (name, value pairs, values
// formatted with %v) and returns e.
func (e *Error) WithReason(reason string, params ...any) *Error {
	e.Reason = reason
	e.Params = pairs(params)
	return e
}

// New returns an error of kind k with a caller-safe message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of kind k whose cause is err.
func Wrap(err error, k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...), Err: err}
}

// NotFound reports that the thing (e.g. "advertiser") does not exist for the
// caller. Its reason is not_found with the thing as a code ("guard rail":
// guard_rail).
func NotFound(thing string) *Error {
	return New(KindNotFound, "%s not found", thing).WithReason("not_found", "thing", strings.ReplaceAll(thing, " ", "_"))
}

// Invalid reports malformed input.
func Invalid(format string, args ...any) *Error { return New(KindInvalid, format, args...) }

// Validation reports rule violations, one FieldError per field.
func Validation(fields ...FieldError) *Error {
	msg := "validation failed"
	if len(fields) > 0 {
		msg += ": " + fields[0].Field + " " + fields[0].Message
		if len(fields) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(fields)-1)
		}
	}
	return &Error{Kind: KindValidation, Message: msg, Fields: fields}
}

// Field is shorthand for a FieldError.
func Field(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a state conflict.
func Conflict(format string, args ...any) *Error { return New(KindConflict, format, args...) }

// Unauthorized reports missing or bad credentials.
func Unauthorized(format string, args ...any) *Error {
	return New(KindUnauthorized, format, args...)
}

// Forbidden reports a missing permission.
func Forbidden(format string, args ...any) *Error { return New(KindForbidden, format, args...) }

// NeedsPermission reports that the caller lacks permission perm
// (report:export); its reason is forbidden_permission.
func NeedsPermission(perm string) *Error {
	return Forbidden("permission %s is required", perm).WithReason("forbidden_permission", "permission", perm)
}

// KindOf returns the Kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Is reports whether err's chain holds an *Error of kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Detail is err's message; for an error naming fields, each field with
// its message instead ("ids[0].budget: must be …; ids[1].budget: …").
func Detail(err error) string {
	ae, ok := As(err)
	if !ok || len(ae.Fields) == 0 {
		return err.Error()
	}
	msgs := make([]string, 0, len(ae.Fields))
	for _, f := range ae.Fields {
		msgs = append(msgs, f.Field+": "+f.Message)
	}
	return strings.Join(msgs, "; ")
}

// Refusal is an error told apart from the answer it came with (an item of
// a batch, a request made later): its kind as a code, its message, and its
// reason with the figures; for an error naming fields, the first field's
// rule and figures, and a message naming every field (Detail).
type Refusal struct {
	Code    Kind
	Message string
	Reason  string
	Params  map[string]string
}

// RefusalOf returns err as a Refusal; false for an internal error, or one
// that is no *Error, whose text is not for a client (the caller logs it).
func RefusalOf(err error) (Refusal, bool) {
	e, ok := As(err)
	if !ok || e.Kind == KindInternal {
		return Refusal{Code: KindInternal}, false
	}
	if len(e.Fields) > 0 {
		return Refusal{Code: e.Kind, Message: Detail(e), Reason: e.Fields[0].Rule, Params: e.Fields[0].Params}, true
	}
	return Refusal{Code: e.Kind, Message: e.Message, Reason: e.Reason, Params: e.Params}, true
}
