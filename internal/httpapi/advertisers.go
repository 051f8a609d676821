package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// advertiserRoutes serves the bound OceanEngine accounts, scoped to the
// caller's advertisers (another user's id answers 404).
func (s *Server) advertiserRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/advertisers", s.requireAuth())
	g.GET("", s.requirePerm(auth.PermAdvertiserRead), s.listAdvertisers)
	g.GET("/:id", s.requirePerm(auth.PermAdvertiserRead), s.getAdvertiser)
	s.audited(g, http.MethodPost, "/:id/sync", "advertiser.sync", "advertiser", s.requirePerm(auth.PermAdvertiserWrite), s.syncAdvertiserNow)
	s.audited(g, http.MethodDelete, "/:id", "advertiser.unbind", "advertiser", s.requirePerm(auth.PermAdvertiserWrite), s.unbindAdvertiser)
}

// advertiserResponse is an advertiser in lists. Money is a string in yuan
// with two decimals ("1234.50"); null when not known yet.
type advertiserResponse struct {
	ID               int64   `json:"id"`
	Name             string  `json:"name"`
	AccountRole      string  `json:"account_role"`
	ParentID         *int64  `json:"parent_id"`
	ClientID         *int64  `json:"client_id"`
	ClientName       string  `json:"client_name"`
	Status           string  `json:"status"`
	Company          string  `json:"company"`
	FirstIndustry    string  `json:"first_industry"`
	SecondIndustry   string  `json:"second_industry"`
	AuthorizationID  *int64  `json:"authorization_id"`
	AuthStatus       string  `json:"auth_status"`
	AuthStatusReason string  `json:"auth_status_reason,omitempty"`
	Balance          *string `json:"balance"`
	ValidBalance     *string `json:"valid_balance"`
	// BudgetMode and Budget are the account's own daily budget (账户日预算);
	// null until read, Budget null without limit.
	BudgetMode        *string    `json:"budget_mode"`
	Budget            *string    `json:"budget"`
	SyncEnabled       bool       `json:"sync_enabled"`
	PlatformCreatedAt *time.Time `json:"platform_created_at"`
	BoundAt           *time.Time `json:"bound_at"`
	UnboundAt         *time.Time `json:"unbound_at"`
	// LeftGrantAt is when the grant was found no longer covering the
	// account (auth_status left_grant); null while it does.
	LeftGrantAt  *time.Time `json:"left_grant_at"`
	InfoSyncedAt *time.Time `json:"info_synced_at"`
}

// fixed2 is d with two decimals ("1234.50"); nil when not known.
func fixed2(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.StringFixed(2)
	return &s
}

func newAdvertiserResponse(v domain.Advertiser) advertiserResponse {
	return advertiserResponse{
		ID: v.ID, Name: v.Name, AccountRole: v.AccountRole, ParentID: optional(v.ParentID), ClientID: optional(v.ClientID),
		ClientName: v.ClientName, Status: v.Status, Company: v.Company,
		FirstIndustry: v.FirstIndustry, SecondIndustry: v.SecondIndustry, AuthorizationID: optional(v.AuthorizationID),
		AuthStatus: v.AuthStatus, AuthStatusReason: v.AuthStatusReason, Balance: fixed2(v.Balance), ValidBalance: fixed2(v.ValidBalance),
		BudgetMode: optional(v.BudgetMode), Budget: fixed2(v.Budget), SyncEnabled: v.SyncEnabled, PlatformCreatedAt: v.PlatformCreatedAt, BoundAt: v.BoundAt, UnboundAt: v.UnboundAt, LeftGrantAt: v.LeftGrantAt,
		InfoSyncedAt: v.InfoSyncedAt,
	}
}

type listAdvertisersQuery struct {
	PageQuery
	Keyword     string `form:"keyword" validate:"max=128"`
	Status      string `form:"status" validate:"max=48"`
	AuthStatus  string `form:"auth_status" validate:"omitempty,oneof=active needs_reauth revoked left_grant unbound"`
	AccountRole string `form:"account_role" validate:"max=32"`
	// ClientID lists a client's accounts; 0 those of no client.
	ClientID *int64  `form:"client_id" validate:"omitempty,gte=0"`
	IDs      []int64 `form:"ids" validate:"max=200,dive,gt=0"`
}

// listAdvertisers is GET /api/v1/advertisers: the caller's advertisers
// (every one for admins), filtered by keyword (name, company or id),
// platform status, authorisation status, account role and ids, paged.
func (s *Server) listAdvertisers(c *gin.Context) {
	serveList(s, c, func(q listAdvertisersQuery) ([]domain.Advertiser, int64, error) {
		return s.deps.DB.ListAdvertisers(c.Request.Context(), scopeFrom(c), domain.AdvertiserFilter{
			Keyword: q.Keyword, Status: q.Status, AuthStatus: q.AuthStatus, AccountRole: q.AccountRole,
			ClientID: q.ClientID, IDs: q.IDs, Limit: q.PageSize, Offset: q.Offset(),
		})
	}, newAdvertiserResponse)
}

type fundResponse struct {
	Balance      *string    `json:"balance"`
	ValidBalance *string    `json:"valid_balance"`
	Cash         *string    `json:"cash"`
	ValidCash    *string    `json:"valid_cash"`
	Grant        *string    `json:"grant"`
	ValidGrant   *string    `json:"valid_grant"`
	SyncedAt     *time.Time `json:"synced_at"`
}

type authorizationResponse struct {
	ID               int64      `json:"id"`
	Status           string     `json:"status"`
	StatusReason     string     `json:"status_reason"`
	StatusChangedAt  *time.Time `json:"status_changed_at"`
	GrantedBy        string     `json:"granted_by"`
	BoundBy          *int64     `json:"bound_by"`
	AccessExpiresAt  *time.Time `json:"access_expires_at"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at"`
	RefreshedAt      *time.Time `json:"refreshed_at"`
	RefreshFailures  int        `json:"refresh_failures"`
}

type syncStateResponse struct {
	Stream        string     `json:"stream"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
	// PlatformError is OceanEngine's answer when the last run failed on
	// one; null when it did not.
	PlatformError       *platformErrorJSON `json:"platform_error"`
	ConsecutiveFailures int                `json:"consecutive_failures"`
	RowsLastRun         int                `json:"rows_last_run"`
	NextRunAt           *time.Time         `json:"next_run_at"`
	FullSyncAt          *time.Time         `json:"full_sync_at"`
}

type platformErrorJSON struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	// Refused: the platform refuses to act on the account (no permission,
	// the account disabled); syncing again cannot help until it is restored.
	Refused bool `json:"refused"`
}

func newSyncStateResponse(st domain.AdvertiserSyncState) syncStateResponse {
	r := syncStateResponse{Stream: st.Stream, LastAttemptAt: st.LastAttemptAt, LastSuccessAt: st.LastSuccessAt,
		LastError: st.LastError, ConsecutiveFailures: st.ConsecutiveFailures, RowsLastRun: st.RowsLastRun,
		NextRunAt: st.NextRunAt, FullSyncAt: st.FullSyncAt}
	if p := st.Platform; p != nil {
		r.PlatformError = &platformErrorJSON{Code: p.Code, Message: p.Message, RequestID: p.RequestID,
			Refused: oceanengine.RefusesAccount(p.Code)}
	}
	return r
}

type advertiserDetailResponse struct {
	advertiserResponse
	Fund          fundResponse           `json:"fund"`
	Authorization *authorizationResponse `json:"authorization"`
	SyncState     []syncStateResponse    `json:"sync_state"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// getAdvertiser is GET /api/v1/advertisers/{id}: info, balance, the
// authorisation's health (never its tokens) and the sync state per stream.
func (s *Server) getAdvertiser(c *gin.Context) {
	serveByID(c, func(id int64) (advertiserDetailResponse, error) {
		return s.advertiserDetail(c.Request.Context(), scopeFrom(c), id)
	}, asIs)
}

func (s *Server) advertiserDetail(ctx context.Context, scope auth.Scope, id int64) (advertiserDetailResponse, error) {
	v, err := s.deps.DB.AdvertiserInScope(ctx, scope, id)
	if err != nil {
		return advertiserDetailResponse{}, err
	}
	out := advertiserDetailResponse{advertiserResponse: newAdvertiserResponse(v), Fund: fundResponse{
		Balance: fixed2(v.Balance), ValidBalance: fixed2(v.ValidBalance), Cash: fixed2(v.Cash), ValidCash: fixed2(v.ValidCash),
		Grant: fixed2(v.Grant), ValidGrant: fixed2(v.ValidGrant), SyncedAt: v.FundSyncedAt,
	}}
	if v.AuthorizationID != 0 {
		a, err := s.deps.DB.Authorization(ctx, v.AuthorizationID)
		if err != nil {
			return advertiserDetailResponse{}, err
		}
		out.Authorization = &authorizationResponse{ID: a.ID, Status: a.Status, StatusReason: a.StatusReason,
			StatusChangedAt: a.StatusChangedAt, GrantedBy: a.OEUserName, BoundBy: optional(a.BoundBy),
			AccessExpiresAt: optTime(a.AccessExpiresAt), RefreshExpiresAt: optTime(a.RefreshExpiresAt),
			RefreshedAt: a.RefreshedAt, RefreshFailures: a.RefreshFailures}
	}
	states, err := s.deps.DB.AdvertiserSyncStates(ctx, id)
	out.SyncState = views(states, newSyncStateResponse)
	return out, err
}

type syncNowRequest struct {
	// Streams limits the sync (the sync engine's stream names); empty = all.
	Streams []string `json:"streams" validate:"max=32,dive,required,max=48,printascii"`
}

type syncNowResponse struct {
	AdvertiserID int64    `json:"advertiser_id"`
	Streams      []string `json:"streams"`
	Enqueued     bool     `json:"enqueued"`
	TaskID       string   `json:"task_id,omitempty"`
}

func isDuplicateTask(err error) bool { return errors.Is(err, asynq.ErrDuplicateTask) }

// syncAdvertiserNow is POST /api/v1/advertisers/{id}/sync: enqueue a sync of
// one bound leaf advertiser now (mirror.KindSyncAdvertiser, reason "manual").
// The body is optional. A second request within a minute is not enqueued
// again (202 with enqueued false). 409 when the advertiser cannot be synced
// (unbound, not a leaf advertiser, its authorisation needs re-authorisation).
func (s *Server) syncAdvertiserNow(c *gin.Context) {
	var req syncNowRequest
	id, ok := s.advertiserRequest(c, s.bindOptionalJSON, &req)
	if !ok {
		return
	}
	queue, err := s.manualSyncQueue(c, id)
	if err != nil {
		fail(c, err)
		return
	}
	out := syncNowResponse{AdvertiserID: id, Streams: orEmpty(req.Streams)}
	info, err := mirror.EnqueueSync(c.Request.Context(), queue,
		mirror.SyncPayload{AdvertiserID: id, Streams: req.Streams, Reason: "manual"})
	switch {
	case isDuplicateTask(err):
	case err != nil:
		fail(c, apperr.Wrap(err, apperr.KindUnavailable, "cannot enqueue the sync now; try again later").WithReason("unavailable", "what", "job_queue"))
		return
	default:
		out.Enqueued, out.TaskID = true, info.ID
	}
	auditDetail(c, "enqueued", out.Enqueued)
	respond(c, http.StatusAccepted, out)
}

// manualSyncQueue is the queue a sync of advertiser id goes to now; an
// error when the advertiser cannot be synced.
func (s *Server) manualSyncQueue(c *gin.Context, id int64) (*asynq.Client, error) {
	v, err := s.deps.DB.AdvertiserInScope(c.Request.Context(), scopeFrom(c), id)
	switch {
	case err != nil:
		return nil, err
	case v.AccountRole != domain.RoleAdvertiser:
		return nil, apperr.Conflict("advertiser %d is a %s account: only leaf advertisers are synced", id, v.AccountRole).
			WithReason("advertiser_not_leaf", "id", id, "role", v.AccountRole)
	case v.AuthStatus == domain.AuthNeedsReauth:
		e := apperr.Conflict("the OceanEngine authorisation of advertiser %d needs re-authorisation", id).
			WithReason("grant_needs_reauth", "id", id)
		e.Data = map[string]any{"reason": "oceanengine_reauthorization_required", "authorization_id": v.AuthorizationID}
		return nil, e
	case v.AuthStatus == domain.AuthLeftGrant:
		return nil, domain.ErrLeftGrant(id, v.AuthorizationID)
	case v.AuthStatus != domain.AuthActive:
		return nil, apperr.Conflict("advertiser %d is not bound to an active OceanEngine authorisation", id).WithReason("advertiser_unbound", "id", id)
	case !v.SyncEnabled:
		return nil, apperr.Conflict("sync is switched off for advertiser %d", id).WithReason("sync_switched_off", "id", id)
	}
	return s.jobQueue()
}

// advertiserRequest parses the path's advertiser {id} and binds the request
// into req with bind (false: answered).
func (s *Server) advertiserRequest(c *gin.Context, bind binder, req any) (int64, bool) {
	id, ok := pathID(c)
	if !ok {
		return 0, false
	}
	if err := bind(c, req); err != nil {
		fail(c, err)
		return 0, false
	}
	return id, true
}

type unbindQuery struct {
	Purge bool `form:"purge"`
}

type unbindResponse struct {
	Unbound               []int64          `json:"unbound"`
	Unassigned            []int64          `json:"unassigned"`
	KeptByClient          []int64          `json:"kept_by_client"`
	RevokedAuthorizations []int64          `json:"revoked_authorizations"`
	Purged                map[string]int64 `json:"purged,omitempty"`
}

// unbindAdvertiser is DELETE /api/v1/advertisers/{id}[?purge=true]: unbind
// an advertiser (and, for a majordomo or agent account, its children bound
// through the same grant) within the caller's scope (accounts.Service.Unbind).
// An account another user still has in scope is only removed from the
// caller's scope (unassigned), or stays in it when one of the caller's
// clients holds it (kept_by_client). Syncs stop at once; a grant left with no
// account is revoked and its tokens wiped. Data is kept unless purge=true.
func (s *Server) unbindAdvertiser(c *gin.Context) {
	var q unbindQuery
	id, ok := s.advertiserRequest(c, s.bindQuery, &q)
	if !ok {
		return
	}
	auditDetail(c, "purge", q.Purge)
	svc, err := s.accountsService()
	if err != nil {
		fail(c, err)
		return
	}
	res, err := svc.Unbind(c.Request.Context(), scopeFrom(c), id, q.Purge)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "unbound", len(res.Advertisers))
	if len(res.Unassigned) > 0 {
		auditDetail(c, "unassigned", len(res.Unassigned))
	}
	if len(res.RevokedAuthorizations) > 0 {
		auditDetail(c, "revoked_authorizations", res.RevokedAuthorizations)
	}
	respond(c, http.StatusOK, unbindResponse{Unbound: orEmpty(res.Advertisers), Unassigned: orEmpty(res.Unassigned),
		KeptByClient: orEmpty(res.KeptByClient), RevokedAuthorizations: orEmpty(res.RevokedAuthorizations), Purged: res.Purged})
}
