package auth

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/metrics"
)

// AuditStore appends audit entries (the MySQL audit_log).
type AuditStore interface {
	InsertAudit(ctx context.Context, e AuditEntry) (int64, error)
}

// AuditLog writes the audit entries of work that is done before its entry is
// written and does not wait on it: an API request already answered, an OAuth
// binding, a token refresh that found a grant dead, a rule's change. Nobody
// could retry such a write, so a failure is logged and counted in
// audit_log_write_failures_total, which the alert AuditLogWritesFailing
// watches. One AuditLog serves a process.
type AuditLog struct {
	store    AuditStore
	failures prometheus.Counter
}

// NewAuditLog writes to store and registers its counter with reg (nil: not
// registered). Registering twice on one registerer shares the counter.
func NewAuditLog(store AuditStore, reg prometheus.Registerer) (*AuditLog, error) {
	r := metrics.NewRegistrar(reg)
	l := &AuditLog{store: store, failures: metrics.Add(r, prometheus.NewCounter(prometheus.CounterOpts{
		Name: "audit_log_write_failures_total",
		Help: "Audit log entries that could not be written (API requests, OAuth bindings, authorisations found dead or superseded, rules' changes); the work was done, its entry is lost.",
	}))}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

// Record writes e. A failure is logged on log with e's action and target,
// and counted.
func (l *AuditLog) Record(ctx context.Context, log *zap.Logger, e AuditEntry) {
	if _, err := l.store.InsertAudit(ctx, e); err != nil {
		l.failures.Inc()
		log.Error("audit log write failed", zap.String("action", e.Action),
			zap.String("target_type", e.TargetType), zap.String("target_id", e.TargetID), zap.Error(err))
	}
}

// Refused records in e that the operation it describes failed with err
// outside an HTTP request (a rule's or a scheduled change's): denied for a
// permission or scope refusal (forbidden, not found), failure otherwise,
// with the error's kind, reason and message in the detail.
func (e *AuditEntry) Refused(err error) {
	e.Result = ResultFailure
	if apperr.Is(err, apperr.KindForbidden) || apperr.Is(err, apperr.KindNotFound) {
		e.Result = ResultDenied
	}
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	e.Detail["error"] = string(apperr.KindOf(err))
	if ae, ok := apperr.As(err); ok && ae.Reason != "" {
		e.Detail["reason"] = ae.Reason
	}
	e.Detail["message"] = err.Error()
}
