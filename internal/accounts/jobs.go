package accounts

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/jobs"
)

// Job kinds of the accounts domain.
const (
	// KindTokenRefresh refreshes one OceanEngine authorisation's tokens
	// (payload TokenRefreshArgs). Critical queue.
	KindTokenRefresh = "accounts:token_refresh"
	// KindTokenSweep finds authorisations close to expiry and enqueues refreshes.
	KindTokenSweep = "accounts:token_sweep"
	// KindAccountInfo refreshes advertiser info and balances (periodic, or
	// for one authorisation with AccountInfoArgs).
	KindAccountInfo = "accounts:info"
	// KindCheckAccess asks the platform whether an account's grant still
	// reaches it (payload CheckAccessArgs), after a refusal.
	KindCheckAccess = "accounts:check_access"
)

// TokenRefreshArgs name the OceanEngine authorisation (oe_authorizations.id)
// whose tokens KindTokenRefresh refreshes.
type TokenRefreshArgs struct {
	AuthorizationID int64 `json:"authorization_id"`
}

// Kind implements jobs.Args.
func (TokenRefreshArgs) Kind() string { return KindTokenRefresh }

// TokenMaintainer is what the token jobs need of the accounts token store
// (implemented by *accounts.TokenStore).
type TokenMaintainer interface {
	// DueAuthorizations lists active authorisations due for a refresh.
	DueAuthorizations(ctx context.Context) ([]int64, error)
	// RefreshIfDue refreshes one authorisation if it is still due, under
	// its cross-process lock.
	RefreshIfDue(ctx context.Context, authorizationID int64) error
}

// AccountMaintainer is what the account jobs need of the accounts service
// (implemented by *accounts.Service).
type AccountMaintainer interface {
	// RefreshAccounts re-discovers and refreshes info and balances of one
	// authorisation's accounts (0: every active authorisation).
	RefreshAccounts(ctx context.Context, authorizationID int64) (RefreshSummary, error)
	// UpdateGauges recomputes the accounts gauges from MySQL.
	UpdateGauges(ctx context.Context) error
	// CheckAccess marks an account its grant no longer reaches; it reports
	// whether it did.
	CheckAccess(ctx context.Context, advertiserID int64) (bool, error)
}

// AccountInfoArgs is the payload of KindAccountInfo: the periodic run
// carries Slot (all active authorisations); a run for one authorisation
// (e.g. right after binding) carries AuthorizationID.
type AccountInfoArgs struct {
	Slot            time.Time `json:"slot,omitzero"`
	AuthorizationID int64     `json:"authorization_id,omitempty"`
}

// Kind implements jobs.Args.
func (AccountInfoArgs) Kind() string { return KindAccountInfo }

// CheckAccessArgs names the account KindCheckAccess checks.
type CheckAccessArgs struct {
	AdvertiserID int64 `json:"advertiser_id"`
}

// Kind implements jobs.Args.
func (CheckAccessArgs) Kind() string { return KindCheckAccess }

// AccountHandlers are the handlers of the accounts job kinds.
type AccountHandlers struct {
	Tokens   TokenMaintainer
	Accounts AccountMaintainer
	// Client enqueues token refreshes.
	Client *asynq.Client
	// SweepEvery is the period of the token sweep (default 1m); it must be
	// well below sync.token_refresh_margin.
	SweepEvery time.Duration
	// InfoEvery is the period of the info/fund job (default 1h).
	InfoEvery time.Duration
	// FirstSync, when set, asks for the first sync of leaf advertisers the
	// info job's re-discovery bound (children added to an agency account
	// since, or a grant's accounts bound here before its callback did).
	FirstSync func(ctx context.Context, advertiserIDs []int64) error
	Log       *zap.Logger
}

// Register registers the handlers of KindTokenSweep, KindTokenRefresh,
// KindAccountInfo and KindCheckAccess on rt.
func (h *AccountHandlers) Register(rt *jobs.Runtime) {
	rt.HandleFunc(KindTokenSweep, h.HandleSweep)
	jobs.HandleArgs(rt, h.HandleRefresh)
	jobs.HandleArgs(rt, h.HandleAccountInfo)
	jobs.HandleArgs(rt, h.HandleCheckAccess)
}

// Schedules are the periodic entries: the token sweep and the hourly info/fund run.
func (h *AccountHandlers) Schedules() []jobs.Periodic {
	return []jobs.Periodic{TokenSweepEntry(h.sweepEvery()), AccountInfoEntry(h.infoEvery())}
}

func (h *AccountHandlers) sweepEvery() time.Duration {
	if h.SweepEvery <= 0 {
		return time.Minute
	}
	return h.SweepEvery
}

func (h *AccountHandlers) infoEvery() time.Duration {
	if h.InfoEvery <= 0 {
		return time.Hour
	}
	return h.InfoEvery
}

func (h *AccountHandlers) log() *zap.Logger {
	if h.Log == nil {
		return zap.NewNop()
	}
	return h.Log
}

// TokenSweepEntry runs the token sweep every period on the critical queue.
func TokenSweepEntry(every time.Duration) jobs.Periodic {
	return jobs.Periodic{Kind: KindTokenSweep, Every: every, Queue: jobs.QueueCritical, Timeout: every, MaxRetry: 1}
}

// AccountInfoEntry refreshes account info and balances every period, at 7
// minutes past (away from the top of the hour other hourly jobs use).
func AccountInfoEntry(every time.Duration) jobs.Periodic {
	off := 7 * time.Minute
	if off >= every {
		off = 0
	}
	return jobs.Periodic{Kind: KindAccountInfo, Every: every, Offset: off, Queue: jobs.QueueDefault, Timeout: every - time.Second, MaxRetry: 2}
}

// TokenRefreshTimeout bounds one refresh task (lock wait, the exchange and
// storing the pair).
const TokenRefreshTimeout = 5 * time.Minute

// EnqueueTokenRefresh enqueues the refresh of one authorisation on the
// critical queue. A refresh of the same authorisation already queued within
// unique is not enqueued again (asynq.ErrDuplicateTask, reported as nil).
func EnqueueTokenRefresh(ctx context.Context, c *asynq.Client, authorizationID int64, unique time.Duration) error {
	_, err := jobs.EnqueueArgs(ctx, c, TokenRefreshArgs{AuthorizationID: authorizationID},
		asynq.Queue(jobs.QueueCritical), asynq.Unique(unique), asynq.MaxRetry(5), asynq.Timeout(TokenRefreshTimeout))
	if errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// EnqueueAccountInfo asks for an info/fund run of one authorisation now
// (after binding), deduplicated for a minute.
func EnqueueAccountInfo(ctx context.Context, c *asynq.Client, authorizationID int64) error {
	_, err := jobs.EnqueueArgs(ctx, c, AccountInfoArgs{AuthorizationID: authorizationID},
		asynq.Queue(jobs.QueueDefault), asynq.Unique(jobs.UniqueFor), asynq.MaxRetry(2), asynq.Timeout(30*time.Minute))
	if errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// RefusedCheckEvery bounds how often refusals of one account ask for its
// access check (CheckAccessAfterRefusal).
const RefusedCheckEvery = 30 * time.Minute

// CheckAccessAfterRefusal asks for a check of an account's access now,
// after the platform refused a call naming it with 40002: it may have left
// its grant (see Service.CheckAccess), which would otherwise be found at the
// next hourly account run. At most once per RefusedCheckEvery per account (a
// Redis key), so an account refused for another reason (a report
// permission withdrawn) is not checked at every failed sync.
func CheckAccessAfterRefusal(ctx context.Context, rdb goredis.UniversalClient, c *asynq.Client, advertiserID int64) error {
	first, err := rdb.SetNX(ctx, "accounts:refused-check:"+strconv.FormatInt(advertiserID, 10), 1, RefusedCheckEvery).Result()
	if err != nil || !first {
		return err
	}
	_, err = jobs.EnqueueArgs(ctx, c, CheckAccessArgs{AdvertiserID: advertiserID},
		asynq.Queue(jobs.QueueDefault), asynq.Unique(jobs.UniqueFor), asynq.MaxRetry(2), asynq.Timeout(5*time.Minute))
	if errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

// HandleCheckAccess (KindCheckAccess) checks whether an account's grant
// still reaches it.
func (h *AccountHandlers) HandleCheckAccess(ctx context.Context, p CheckAccessArgs) error {
	left, err := h.Accounts.CheckAccess(ctx, p.AdvertiserID)
	h.log().Info("account access checked", zap.Int64("advertiser_id", p.AdvertiserID), zap.Bool("left_grant", left), zap.Error(err))
	return err
}

// HandleSweep (KindTokenSweep) enqueues a refresh of every authorisation
// due, then updates the accounts gauges. Racing refreshes are harmless: the
// store refreshes an authorisation once and the others find it no longer due.
func (h *AccountHandlers) HandleSweep(ctx context.Context, _ *asynq.Task) error {
	ids, err := h.Tokens.DueAuthorizations(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := EnqueueTokenRefresh(ctx, h.Client, id, 5*h.sweepEvery()); err != nil {
			errs = append(errs, err)
		}
	}
	if len(ids) > 0 {
		h.log().Info("token sweep", zap.Int("due", len(ids)))
	}
	if err := h.Accounts.UpdateGauges(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// HandleRefresh (KindTokenRefresh) refreshes one authorisation if still due.
// A verdict that needs a person (needs_reauth, already alerted) or a gone
// authorisation ends the task; other failures are retried.
func (h *AccountHandlers) HandleRefresh(ctx context.Context, p TokenRefreshArgs) error {
	err := h.Tokens.RefreshIfDue(ctx, p.AuthorizationID)
	switch {
	case err == nil:
		return nil
	case IsReauth(err):
		h.log().Warn("token refresh: authorisation needs re-authorisation", zap.Int64("authorization_id", p.AuthorizationID), zap.Error(err))
		return nil
	case apperr.Is(err, apperr.KindNotFound):
		return errors.Join(err, asynq.SkipRetry)
	}
	return err
}

// HandleAccountInfo (KindAccountInfo) runs re-discovery, info and fund for
// one authorisation or all.
func (h *AccountHandlers) HandleAccountInfo(ctx context.Context, p AccountInfoArgs) error {
	sum, err := h.Accounts.RefreshAccounts(ctx, p.AuthorizationID)
	h.log().Info("account info refreshed", zap.Int64("authorization_id", p.AuthorizationID), zap.Int("authorizations", sum.Authorizations),
		zap.Int("new_accounts", sum.NewAccounts), zap.Int("joined_clients", sum.JoinedClients), zap.Int("info_updated", sum.InfoUpdated), zap.Int("fund_updated", sum.FundUpdated),
		zap.Int("failures", sum.Failures), zap.Int("needs_reauth", sum.NeedsReauth), zap.Int64s("superseded", sum.Superseded),
		zap.Int64s("left_grant", sum.Left), zap.Int64s("rejoined_grant", sum.Returned), zap.Error(err))
	if len(sum.Discovered) > 0 && h.FirstSync != nil {
		if serr := h.FirstSync(ctx, sum.Discovered); serr != nil {
			// The scheduled syncs still reach them within one interval.
			h.log().Warn("first sync of discovered advertisers", zap.Int64s("advertiser_ids", sum.Discovered), zap.Error(serr))
		}
	}
	return err
}
