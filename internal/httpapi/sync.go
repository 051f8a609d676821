package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/mirror"
)

// syncRoutes serves the freshness of the mirror, scoped to the caller's
// advertisers.
func (s *Server) syncRoutes(v1 *gin.RouterGroup) {
	v1.GET("/sync/status", s.requireAuth(), s.requirePerm(auth.PermAdvertiserRead), s.syncStatus)
}

type syncStatusQuery struct {
	PageQuery
	AdvertiserID int64 `form:"advertiser_id" validate:"gte=0"`
	// AdvertiserIDs keeps these advertisers (at most a page); ids outside
	// the scope, unknown or not leaf advertisers are simply not listed.
	AdvertiserIDs []int64 `form:"advertiser_ids" validate:"max=200,dive,gt=0"`
	// ClientID keeps the accounts of a client in the advertisers listed.
	ClientID int64  `form:"client_id" validate:"gte=0"`
	Stream   string `form:"stream" validate:"omitempty,max=48"`
	// Failing keeps advertisers with at least one stream whose last run failed.
	Failing bool `form:"failing"`
	// LaggingOver keeps the syncing advertisers with a stream whose data is
	// older than this many seconds.
	LaggingOver int64 `form:"lagging_over" validate:"gte=0,lte=31536000"`
	// Attention keeps the syncing advertisers with a failing stream or one
	// lagging over LaggingOver (when given).
	Attention bool `form:"attention"`
}

// streamStatus summarises one stream over the caller's syncable advertisers.
type streamStatus struct {
	Stream string `json:"stream"`
	// Advertisers syncable; Synced with a successful run; Failing whose last
	// run failed; NeverSynced without any success yet.
	Advertisers int `json:"advertisers"`
	Synced      int `json:"synced"`
	Failing     int `json:"failing"`
	NeverSynced int `json:"never_synced"`
	// LagSeconds is the age of the oldest data among them (the oldest last
	// success; an advertiser never synced counts from when it was bound).
	LagSeconds      *int64     `json:"lag_seconds"`
	OldestSuccessAt *time.Time `json:"oldest_data_at"`
	NewestSuccessAt *time.Time `json:"last_success_at"`
}

// advertiserStreamStatus is the state of a stream of an advertiser (as in
// the advertiser's detail) with the age of its data.
type advertiserStreamStatus struct {
	syncStateResponse
	LagSeconds *int64 `json:"lag_seconds"`
}

type advertiserSyncStatus struct {
	AdvertiserID int64  `json:"advertiser_id"`
	Name         string `json:"name"`
	// Syncing is false when the advertiser is unbound, its authorisation
	// needs re-authorisation, or sync is switched off for it.
	Syncing bool `json:"syncing"`
	// LagSeconds is the age of its oldest data over the streams listed (a
	// stream never synced counts from when the advertiser was bound).
	LagSeconds int64                    `json:"lag_seconds"`
	Streams    []advertiserStreamStatus `json:"streams"`
}

// reauthAccountJSON is an account whose grant needs re-authorisation.
type reauthAccountJSON struct {
	AdvertiserID    int64  `json:"advertiser_id"`
	Name            string `json:"name"`
	AccountRole     string `json:"account_role"`
	AuthorizationID int64  `json:"authorization_id"`
	// Reason says why the grant stopped working (e.g.
	// refresh_token_invalid); LastError is the platform's last answer.
	Reason    string     `json:"reason"`
	LastError string     `json:"last_error"`
	Since     *time.Time `json:"since"`
}

// reauthJSON lists the accounts in scope that are not synced until someone
// authorises them again through OAuth.
type reauthJSON struct {
	Count    int                 `json:"count"`
	Accounts []reauthAccountJSON `json:"accounts"`
}

// maxReauthListed bounds the accounts listed (count has them all).
const maxReauthListed = 200

type syncStatusResponse struct {
	Streams     []streamStatus                   `json:"streams"`
	NeedsReauth reauthJSON                       `json:"needs_reauth"`
	Advertisers PageResult[advertiserSyncStatus] `json:"advertisers"`
}

func secondsSince(now time.Time, t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := max(int64(now.Sub(*t).Seconds()), 0)
	return &v
}

// syncStatus is GET /api/v1/sync/status: per stream, the lag, last success
// and error counts over the caller's syncable advertisers; the accounts
// that need re-authorisation (not synced, so absent from the streams) with
// the reason and since when; and a page of
// the caller's advertisers with the state of each stream (filters:
// advertiser_id, advertiser_ids, stream, failing, lagging_over, attention).
// An advertiser_id outside the caller's scope answers 404; advertiser_ids
// outside it are simply not listed.
func (s *Server) syncStatus(c *gin.Context) {
	serveBound(c, s.bindQuery, http.StatusOK, func(q syncStatusQuery) (syncStatusResponse, error) {
		return s.syncStatusOf(c.Request.Context(), scopeFrom(c), q)
	}, asIs)
}

func (s *Server) syncStatusOf(ctx context.Context, scope auth.Scope, q syncStatusQuery) (syncStatusResponse, error) {
	streams := mirror.Streams()
	if q.Stream != "" {
		if !mirror.IsStream(q.Stream) {
			return syncStatusResponse{}, apperr.Validation(apperr.Field("stream", "unknown stream; one of %v", streams).Because("unknown_stream", "stream", q.Stream))
		}
		streams = []string{q.Stream}
	}
	if q.AdvertiserID != 0 {
		if _, err := s.deps.DB.SyncTarget(ctx, scope, q.AdvertiserID); err != nil {
			return syncStatusResponse{}, err
		}
	}
	fresh, err := s.deps.DB.StreamFreshness(ctx, scope, streams)
	if err != nil {
		return syncStatusResponse{}, err
	}
	now := s.now()
	out := syncStatusResponse{Streams: make([]streamStatus, 0, len(fresh))}
	for _, f := range fresh {
		out.Streams = append(out.Streams, streamStatus{
			Stream: f.Stream, Advertisers: f.Advertisers, Synced: f.Synced, Failing: f.Failing, NeverSynced: f.Advertisers - f.Synced,
			LagSeconds: secondsSince(now, f.Oldest), OldestSuccessAt: f.Oldest, NewestSuccessAt: f.Newest,
		})
	}
	reauth, n, err := s.deps.DB.AccountsNeedingReauth(ctx, scope, maxReauthListed)
	if err != nil {
		return syncStatusResponse{}, err
	}
	out.NeedsReauth = reauthJSON{Count: n, Accounts: make([]reauthAccountJSON, 0, len(reauth))}
	for _, r := range reauth {
		out.NeedsReauth.Accounts = append(out.NeedsReauth.Accounts, reauthAccountJSON{AdvertiserID: r.AdvertiserID, Name: r.Name,
			AccountRole: r.AccountRole, AuthorizationID: r.AuthorizationID, Reason: r.Reason, LastError: r.LastError, Since: r.Since})
	}
	f := domain.SyncStatusFilter{AdvertiserID: q.AdvertiserID, AdvertiserIDs: q.AdvertiserIDs, ClientID: q.ClientID, Failing: q.Failing,
		Streams: streams, Attention: q.Attention, Limit: q.PageSize, Offset: q.Offset()}
	if q.LaggingOver > 0 {
		f.LaggingBefore = now.Add(-time.Duration(q.LaggingOver) * time.Second)
	}
	list, total, err := s.deps.DB.ListSyncStatus(ctx, scope, f)
	if err != nil {
		return syncStatusResponse{}, err
	}
	items := make([]advertiserSyncStatus, 0, len(list))
	for _, a := range list {
		items = append(items, newAdvertiserSyncStatus(a, streams, now))
	}
	out.Advertisers = newPage(items, q.PageQuery, total)
	return out, nil
}

// newAdvertiserSyncStatus is the state of the given streams of a and the
// age of its oldest data among them.
func newAdvertiserSyncStatus(a domain.AdvertiserSyncStatus, streams []string, now time.Time) advertiserSyncStatus {
	item := advertiserSyncStatus{AdvertiserID: a.AdvertiserID, Name: a.Name, Syncing: a.Syncable, Streams: make([]advertiserStreamStatus, 0, len(streams))}
	for _, name := range streams {
		st := a.States[name].AdvertiserSyncState
		st.Stream = name // a stream never run has no state
		item.Streams = append(item.Streams, advertiserStreamStatus{syncStateResponse: newSyncStateResponse(st),
			LagSeconds: secondsSince(now, st.LastSuccessAt)})
		since := a.DataSince
		if st.LastSuccessAt != nil {
			since = *st.LastSuccessAt
		}
		item.LagSeconds = max(item.LagSeconds, *secondsSince(now, &since))
	}
	return item
}
