package accounts

import (
	"context"
	"slices"
	"strconv"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Audit actions of accounts leaving and rejoining a grant (actor type system).
const (
	// AuditLeftGrant: re-discovery found that an active grant no longer
	// covers one of its accounts; it stopped syncing.
	AuditLeftGrant = "advertiser.left_grant"
	// AuditRejoinedGrant: an account that had left is listed by its grant
	// again; it syncs again.
	AuditRejoinedGrant = "advertiser.rejoined_grant"
)

// leaving finds the accounts bound to grant authID (bound, read after the
// re-discovery pass d) that d did not list, and marks those the platform confirms it no longer
// lets the grant reach (40002 for a call naming the account): a client
// that left its agency, an account a customer centre dropped. An account
// merely missing from a listing is not enough — a child of a majordomo
// whose listing failed is not a candidate, and one the platform still
// answers for stays. Marked accounts keep their data and binding but are
// not synced or acted on until they are listed again. Returns the accounts
// marked, and sets Left on them in bound; platform failures are logged and
// counted in sum.
func (s *Service) leaving(ctx context.Context, authID int64, d discovery, bound []mysql.BoundAccount, sum *RefreshSummary) ([]int64, error) {
	log := s.log.With(zap.Int64("authorization_id", authID))
	var gone []int64
	for _, b := range bound {
		if b.Left || d.listed[b.ID] || d.unlisted[b.ParentID] {
			continue
		}
		reachable, err := s.reachable(ctx, b)
		switch {
		case err != nil:
			sum.Failures++
			log.Warn("check an account missing from its grant", zap.Int64("advertiser_id", b.ID), zap.Error(err))
		case !reachable:
			gone = append(gone, b.ID)
		}
	}
	parent := map[int64]int64{}
	for _, b := range bound {
		parent[b.ID] = b.ParentID
	}
	marked, err := s.markLeft(ctx, authID, gone, parent)
	if err != nil {
		return nil, err
	}
	for i := range bound {
		if slices.Contains(marked, bound[i].ID) {
			bound[i].Left = true
		}
	}
	for _, id := range d.returned {
		log.Info("an account that had left its grant is listed again", zap.Int64("advertiser_id", id))
		s.auditGrantMembership(ctx, AuditRejoinedGrant, id, authID, parent[id])
	}
	return marked, nil
}

// CheckAccess asks the platform whether the grant an account is bound to
// still reaches it, after a call naming it was refused with 40002, and marks
// it when not (as the hourly re-discovery would, see leaving). An account
// unbound, of a dead grant or already marked is left alone. It reports
// whether the account was marked.
func (s *Service) CheckAccess(ctx context.Context, advertiserID int64) (bool, error) {
	v, err := s.db.AdvertiserInScope(ctx, auth.SystemScope(), advertiserID)
	if apperr.Is(err, apperr.KindNotFound) {
		return false, nil
	}
	if err != nil || v.AuthStatus != mysql.AuthActive {
		return false, err
	}
	reachable, err := s.reachable(ctx, mysql.BoundAccount{ID: v.ID, AccountRole: v.AccountRole, ParentID: v.ParentID})
	if err != nil || reachable {
		return false, err
	}
	marked, err := s.markLeft(ctx, v.AuthorizationID, []int64{v.ID}, map[int64]int64{v.ID: v.ParentID})
	return len(marked) == 1, err
}

// markLeft marks the accounts ids of grant authID as no longer covered,
// forgets their cached grant and audits each one marked.
func (s *Service) markLeft(ctx context.Context, authID int64, ids []int64, parent map[int64]int64) ([]int64, error) {
	marked, err := s.db.MarkAdvertisersLeftGrant(ctx, authID, ids, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	s.store.ForgetAdvertisers(marked...)
	for _, id := range marked {
		s.log.Warn("an account left its grant: not synced any more", zap.Int64("authorization_id", authID),
			zap.Int64("advertiser_id", id), zap.Int64("parent_id", parent[id]))
		s.auditGrantMembership(ctx, AuditLeftGrant, id, authID, parent[id])
	}
	return marked, nil
}

// reachable asks the platform whether the grant still reaches an account:
// false when it refuses with 40002, an error when it fails otherwise. The
// call suits the account's role (a majordomo or agent account is asked for
// its children: its info may be refused for its role).
func (s *Service) reachable(ctx context.Context, b mysql.BoundAccount) (bool, error) {
	var err error
	switch b.AccountRole {
	case oceanengine.RoleMajordomo:
		_, err = s.client.MajordomoAdvertisers(ctx, b.ID)
	case oceanengine.RoleAgent, oceanengine.RoleChildAgent:
		for _, e := range s.client.AgentAdvertiserPages(ctx, oceanengine.AgentAdvertisersRequest{AdvertiserID: b.ID, Page: 1, PageSize: 10}) {
			err = e
			break
		}
	default:
		_, err = s.client.AdvertiserInfo(ctx, b.ID, oceanengine.AdvertiserInfoRequest{AdvertiserIDs: []int64{b.ID}, Fields: []string{"id"}})
	}
	if oceanengine.IsNoPermission(err) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) auditGrantMembership(ctx context.Context, action string, advertiserID, authID, parentID int64) {
	detail := map[string]any{"authorization_id": authID}
	if parentID != 0 {
		detail["parent_id"] = parentID
	}
	s.store.opts.Audit.Record(ctx, s.log, auth.AuditEntry{ActorType: auth.ActorSystem, ActorName: auditActor, Action: action,
		TargetType: "advertiser", TargetID: strconv.FormatInt(advertiserID, 10), Result: auth.ResultSuccess, Detail: detail})
}
