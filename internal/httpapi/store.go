package httpapi

import (
	"context"
	"io"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/report"
)

// Store is what the handlers read and write without a domain service in
// between: lists, scoped look-ups and bookkeeping rows. The composition root
// passes the store (*mysql.DB implements it); the handlers see only these
// narrow interfaces, in domain types.
type Store interface {
	advertiserStore
	clientStore
	reportViewStore
	syncStore
	jobStore
	changeStore
	userStore
	reportStore
	exportLister
	jobRequeuer
	report.Reader
}

// advertiserStore reads and writes advertisers, their data scope, balances and re-authorisation needs.
type advertiserStore interface {
	AccountsNeedingReauth(ctx context.Context, scope auth.Scope, limit int) ([]domain.ReauthAccount, int, error)
	AdvertiserIDsInScope(ctx context.Context, scope auth.Scope) (ids []int64, all bool, err error)
	AdvertiserInScope(ctx context.Context, scope auth.Scope, id int64) (domain.Advertiser, error)
	ListAdvertisers(ctx context.Context, scope auth.Scope, f domain.AdvertiserFilter) ([]domain.Advertiser, int64, error)
	BalancesInScope(ctx context.Context, scope auth.Scope, clientID int64, threshold decimal.Decimal, limit int) (domain.Balances, error)
	CheckAdvertisersInScope(ctx context.Context, scope auth.Scope, ids []int64) error
	InScope(ctx context.Context, scope auth.Scope, advertiserID int64) (bool, error)
	Authorization(ctx context.Context, id int64) (domain.Authorization, error)
	SetUserGrants(ctx context.Context, userID int64, g auth.Grants, by int64) error
	UserGrants(ctx context.Context, userID int64) (auth.Grants, error)
	// CheckUserClients is the validation error naming (client_ids[i]) the first of ids that is no client.
	CheckUserClients(ctx context.Context, ids []int64) error
}

// syncStore reads and writes sync state and freshness.
type syncStore interface {
	AdvertiserSyncStates(ctx context.Context, advertiserID int64) ([]domain.AdvertiserSyncState, error)
	ListSyncStatus(ctx context.Context, scope auth.Scope, f domain.SyncStatusFilter) ([]domain.AdvertiserSyncStatus, int64, error)
	StreamFreshness(ctx context.Context, scope auth.Scope, streams []string) ([]domain.StreamFreshness, error)
	SyncTarget(ctx context.Context, scope auth.Scope, id int64) (domain.SyncTarget, error)
}

// jobStore reads and writes background jobs (backfills, exports) and export files.
type jobStore interface {
	BackgroundJob(ctx context.Context, id int64) (domain.BackgroundJob, error)
	BackgroundJobInScope(ctx context.Context, scope auth.Scope, id int64) (domain.BackgroundJob, error)
	CreateBackgroundJob(ctx context.Context, j domain.NewBackgroundJob) (int64, error)
	FinishBackgroundJob(ctx context.Context, id int64, status string, result any, lastError string, at time.Time) error
	ListBackgroundJobs(ctx context.Context, scope auth.Scope, f domain.BackgroundJobFilter) ([]domain.BackgroundJob, int64, error)
	ExportJob(ctx context.Context, scope auth.Scope, jobID int64) (domain.BackgroundJob, *domain.ExportFile, error)
	WriteExportFile(ctx context.Context, f domain.ExportFile, w io.Writer) error
}

// changeStore reads and writes the change log, guard rails and idempotency keys of ad operations.
type changeStore interface {
	AdChangeByID(ctx context.Context, scope auth.Scope, id int64) (domain.AdChange, error)
	ListAdChanges(ctx context.Context, scope auth.Scope, f domain.AdChangeFilter) ([]domain.AdChange, int64, error)
	CreateGuardrail(ctx context.Context, g domain.Guardrail, at time.Time) (domain.Guardrail, error)
	DeleteGuardrail(ctx context.Context, id int64) error
	Guardrail(ctx context.Context, id int64) (domain.Guardrail, error)
	ListGuardrails(ctx context.Context) ([]domain.Guardrail, error)
	UpdateGuardrail(ctx context.Context, g domain.Guardrail, at time.Time) (domain.Guardrail, error)
	ClaimIdempotencyKey(ctx context.Context, c domain.IdempotencyClaim) (domain.IdempotencyClaimResult, error)
	CompleteIdempotencyKey(ctx context.Context, userID int64, key, holder string, status int, body []byte) (bool, error)
	ReleaseIdempotencyKey(ctx context.Context, userID int64, key, holder string, now time.Time) (bool, error)
	RenewIdempotencyKey(ctx context.Context, userID int64, key, holder string, until time.Time) (bool, error)
}

// userStore reads and writes users, roles and the audit log.
type userStore interface {
	GetUser(ctx context.Context, id int64) (auth.User, error)
	ListUsers(ctx context.Context, f auth.UserFilter) ([]auth.User, int64, error)
	SetUserRoles(ctx context.Context, userID int64, roles []string) error
	InsertAudit(ctx context.Context, e auth.AuditEntry) (int64, error)
	ListAudit(ctx context.Context, f auth.AuditFilter) ([]auth.AuditEntry, int64, error)
}

// reportStore reads and writes reports, dashboards and mirrored entities.
type reportStore interface {
	DashboardOverview(ctx context.Context, scope auth.Scope, advertiserIDs, clientIDs []int64, now time.Time, topN int) (report.Overview, error)
	ListEntities(ctx context.Context, scope auth.Scope, f report.EntityFilter) ([]report.Entity, int64, error)
	QueryReport(ctx context.Context, scope auth.Scope, spec report.Spec, limit, offset int) (report.Result, error)
}
