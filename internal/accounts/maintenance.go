package accounts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/tokencrypt"
)

// RefreshSummary counts what RefreshAccounts did.
type RefreshSummary struct {
	Authorizations int // grants processed
	NewAccounts    int // accounts found by re-discovery
	JoinedClients  int // accounts put in the client of the manager account they were found under
	InfoUpdated    int // advertisers whose info was stored
	FundUpdated    int // advertisers whose balance was stored
	BudgetUpdated  int // advertisers whose own daily budget was stored
	Failures       int // platform calls that failed (logged)
	NeedsReauth    int // grants found dead on the way
	// Superseded lists the dead grants revoked because re-discovery
	// rescued their last accounts.
	Superseded []int64
	// Discovered lists the leaf advertisers among NewAccounts that were
	// bound to no other grant: they have not been synced yet.
	Discovered []int64
	// Left lists the accounts found no longer covered by their grant
	// (they stopped syncing); Returned those covered again.
	Left     []int64
	Returned []int64
}

// RefreshAccounts is the hourly account job for one grant (authID) or every
// active grant (authID 0): re-discovery (new children of majordomo and agent
// accounts are bound and assigned to the user who bound the grant; nothing
// is taken from another active grant or re-bound after an unbind; accounts
// the grant no longer covers are marked and stop syncing, see leaving),
// then account info and balance of every bound leaf advertiser still covered. Platform failures are logged and counted, not returned: one
// broken account must not stop the others. Gauges are updated at the end.
func (s *Service) RefreshAccounts(ctx context.Context, authID int64) (RefreshSummary, error) {
	var sum RefreshSummary
	ids := []int64{authID}
	if authID == 0 {
		var err error
		if ids, err = s.db.ActiveAuthorizationIDs(ctx); err != nil {
			return sum, err
		}
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		if err := s.refreshGrant(ctx, id, &sum); err != nil {
			return sum, err
		}
	}
	if err := s.UpdateGauges(ctx); err != nil {
		return sum, err
	}
	return sum, nil
}

// refreshGrant returns only errors of our own store; platform failures are counted.
func (s *Service) refreshGrant(ctx context.Context, authID int64, sum *RefreshSummary) error {
	log := s.log.With(zap.Int64("authorization_id", authID))
	a, err := s.db.Authorization(ctx, authID)
	if err != nil {
		return err
	}
	if a.Status != mysql.AuthActive {
		return nil
	}
	sum.Authorizations++
	dead := func(err error) bool {
		if IsReauth(err) {
			sum.NeedsReauth++
			return true
		}
		sum.Failures++
		return false
	}
	access, err := s.store.ForAuthorization(authID).AccessToken(ctx, 0)
	if err != nil {
		if dead(err) {
			return nil
		}
		log.Warn("account refresh: no access token", zap.Error(err))
		return nil
	}
	d, err := s.discover(ctx, authID, access, mysql.BindAddOnly)
	if err != nil && dead(err) {
		return nil
	}
	// The grant's accounts after discovery: checked for those it no longer
	// covers, then read for info and balance.
	bound, berr := s.db.AdvertisersOfAuthorization(ctx, authID)
	if berr != nil {
		return berr
	}
	switch {
	case err != nil:
		log.Warn("re-discovery failed", zap.Error(err))
	default:
		sum.NewAccounts += len(d.fresh)
		sum.JoinedClients += len(d.joined)
		for _, id := range d.fresh {
			// Accounts taken over from a dead grant keep their data and
			// catch up on their schedule.
			if _, leaf := slices.BinarySearch(d.leaves, id); leaf && !slices.Contains(d.moved, id) {
				sum.Discovered = append(sum.Discovered, id)
			}
		}
		sum.Failures += len(d.warnings)
		sum.Superseded = append(sum.Superseded, s.supersede(ctx, authID, d.previous)...)
		left, err := s.leaving(ctx, authID, d, bound, sum)
		if err != nil {
			return err
		}
		sum.Left, sum.Returned = append(sum.Left, left...), append(sum.Returned, d.returned...)
		if len(d.fresh) > 0 && a.BoundBy != 0 {
			if err := s.db.AssignAdvertisers(ctx, a.BoundBy, d.fresh, 0); err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("assign newly discovered accounts", zap.Error(err))
			}
		}
	}
	// Info of leaf advertisers only: majordomo and agent accounts get their
	// names from discovery, and one of them in a batch could make the
	// platform refuse the whole batch.
	// Nor of accounts the grant no longer covers: one of them in a batch
	// makes the platform refuse it.
	bound = slices.DeleteFunc(bound, func(b mysql.BoundAccount) bool { return b.Left })
	ids := make([]int64, 0, len(bound))
	for _, b := range bound {
		if b.AccountRole == oceanengine.RoleAdvertiser {
			ids = append(ids, b.ID)
		}
	}
	return s.readLeaves(ctx, log, authID, ids, dead, sum)
}

// readLeaves stores the info, own daily budgets and balances of the leaf
// advertisers ids of authID; a dead grant (dead) stops it without an error,
// another refusal is logged and skipped.
func (s *Service) readLeaves(ctx context.Context, log *zap.Logger, authID int64, ids []int64, dead func(error) bool, sum *RefreshSummary) error {
	for chunk := range slices.Chunk(ids, 100) {
		infos, err := s.client.AdvertiserInfo(ctx, chunk[0], oceanengine.AdvertiserInfoRequest{AdvertiserIDs: chunk})
		if err != nil {
			if dead(err) {
				return nil
			}
			log.Warn("advertiser info", zap.Int("advertisers", len(chunk)), zap.Error(err))
			continue
		}
		ups := make([]mysql.AdvertiserInfoUpdate, 0, len(infos))
		for _, i := range infos {
			ups = append(ups, mysql.AdvertiserInfoUpdate{ID: int64(i.ID), Name: i.Name, Status: i.Status, Company: i.Company,
				FirstIndustry: i.FirstIndustryName, SecondIndustry: i.SecondIndustryName, PlatformCreatedAt: i.CreateTime.Time})
		}
		if err := s.db.UpdateAdvertiserInfo(ctx, authID, ups, s.cfg.Now()); err != nil {
			return err
		}
		sum.InfoUpdated += len(ups)
		// The accounts' own daily budgets; a refusal leaves them as last read.
		budgets, err := s.client.AdvertiserBudgets(ctx, chunk[0], chunk)
		if err != nil {
			if dead(err) {
				return nil
			}
			log.Warn("advertiser budgets", zap.Int("advertisers", len(chunk)), zap.Error(err))
			continue
		}
		rows := make([]mysql.AdvertiserBudgetUpdate, len(budgets))
		for i, b := range budgets {
			rows[i] = mysql.AdvertiserBudgetUpdate{ID: int64(b.AdvertiserID), Mode: b.BudgetMode, Budget: b.Daily()}
		}
		if err := s.db.UpdateAdvertiserBudgets(ctx, authID, rows, s.cfg.Now()); err != nil {
			return err
		}
		sum.BudgetUpdated += len(budgets)
	}
	for _, id := range ids {
		f, err := s.client.AdvertiserFund(ctx, id)
		if err != nil {
			if dead(err) {
				return nil
			}
			log.Warn("advertiser fund", zap.Int64("advertiser_id", id), zap.Error(err))
			continue
		}
		if err := s.db.UpdateAdvertiserFund(ctx, authID, mysql.AdvertiserFundUpdate{ID: id,
			Balance: f.Balance.Decimal, ValidBalance: f.ValidBalance.Decimal, Cash: f.Cash.Decimal, ValidCash: f.ValidCash.Decimal,
			Grant: f.Grant.Decimal, ValidGrant: f.ValidGrant.Decimal}, s.cfg.Now()); err != nil {
			return err
		}
		sum.FundUpdated++
	}
	return nil
}

// UpdateGauges recomputes the accounts gauges from MySQL (every worker
// computes the same values; aggregate them with max, not sum).
func (s *Service) UpdateGauges(ctx context.Context) error {
	m := s.cfg.Metrics
	n, err := s.db.CountAdvertisersNeedingReauth(ctx)
	if err != nil {
		return err
	}
	m.needingReauth.Set(float64(n))
	if n, err = s.db.CountAdvertisersLeftGrant(ctx); err != nil {
		return err
	}
	m.leftGrant.Set(float64(n))
	counts, err := s.db.AuthorizationStatusCounts(ctx)
	if err != nil {
		return err
	}
	for st, c := range counts {
		m.authStatus.WithLabelValues(st).Set(float64(c))
	}
	total, low, err := s.db.BalanceSummary(ctx, s.cfg.LowBalanceYuan)
	if err != nil {
		return err
	}
	f, _ := total.Float64() // a gauge is a float by nature; MySQL keeps the exact sum
	m.balanceTotal.Set(f)
	m.lowBalance.Set(float64(low))
	return nil
}

// UnbindOutcome says what Unbind changed (every id in it is within the
// caller's scope).
type UnbindOutcome struct {
	mysql.UnbindResult
}

// unbindTimeout bounds an unbinding and its purge once begun, whether or
// not its caller is still waiting.
const unbindTimeout = 30 * time.Minute

// Unbind unbinds an advertiser within scope (404 otherwise) and, for a
// majordomo or agent account, its children bound through the same grant;
// purge also deletes their mirrored data, reports, sync state and scope
// rows. The cascade takes the caller's scope (mysql.UnbindAdvertiser): an
// admin's reaches every child; anyone else's reaches only the accounts in
// their own scope, and an account another user still has in scope only
// leaves the caller's scope, its binding, tokens and data intact. Syncs of
// the unbound accounts stop at once; a grant left with no advertiser is
// revoked and its tokens wiped.
func (s *Service) Unbind(ctx context.Context, scope auth.Scope, advertiserID int64, purge bool) (UnbindOutcome, error) {
	// The work goes on when the caller leaves (a purge of a large account
	// may outlast a proxy's timeout): it is not left half done, within
	// unbindTimeout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unbindTimeout)
	defer cancel()
	unbind := s.db.UnbindAdvertiser
	if purge {
		unbind = s.db.UnbindAndPurgeAdvertiser
	}
	res, err := unbind(ctx, scope, advertiserID, s.cfg.Now())
	// Forget cached mappings even when a purge failed after the unbinding committed.
	s.store.ForgetAdvertisers(res.Advertisers...)
	if res.PreviousAuthorization != 0 && len(res.Advertisers) > 0 {
		s.store.Invalidate(ctx, res.PreviousAuthorization)
	}
	return UnbindOutcome{UnbindResult: res}, err
}

// ReencryptSummary counts what Reencrypt did.
type ReencryptSummary struct {
	ActiveKey   string
	Reencrypted int
	// Skipped were changed by a refresh meanwhile (already under the active key).
	Skipped int
	// Remaining counts stored token pairs by key id after the run.
	Remaining map[string]int
}

// Reencrypt re-encrypts every stored token pair not sealed with the active
// key (key rotation). Each row is a compare-and-set on its token version, so
// it can run while workers refresh tokens. dryRun only counts.
func Reencrypt(ctx context.Context, db *mysql.DB, keys *tokencrypt.Keyring, dryRun bool) (ReencryptSummary, error) {
	sum := ReencryptSummary{ActiveKey: keys.ActiveKeyID()}
	var after int64
	for {
		rows, err := db.AuthorizationsToReencrypt(ctx, keys.ActiveKeyID(), after, 100)
		if err != nil {
			return sum, err
		}
		if len(rows) == 0 {
			break
		}
		for _, a := range rows {
			after = a.ID
			if dryRun {
				sum.Reencrypted++
				continue
			}
			access, err := keys.Open(a.AccessTokenEnc, aad(a.ID, "access"))
			if err != nil {
				return sum, fmt.Errorf("accounts: authorisation %d (key %q): %w", a.ID, a.KeyID, err)
			}
			refresh, err := keys.Open(a.RefreshTokenEnc, aad(a.ID, "refresh"))
			if err != nil {
				return sum, fmt.Errorf("accounts: authorisation %d (key %q): %w", a.ID, a.KeyID, err)
			}
			newAccess, err := keys.Seal(access, aad(a.ID, "access"))
			if err != nil {
				return sum, err
			}
			newRefresh, err := keys.Seal(refresh, aad(a.ID, "refresh"))
			if err != nil {
				return sum, err
			}
			err = db.ReencryptAuthorization(ctx, a.ID, a.TokenVersion, keys.ActiveKeyID(), newAccess, newRefresh)
			switch {
			case errors.Is(err, mysql.ErrStaleTokenVersion):
				sum.Skipped++
			case err != nil:
				return sum, err
			default:
				sum.Reencrypted++
			}
		}
	}
	var err error
	sum.Remaining, err = db.TokenKeyCounts(ctx)
	return sum, err
}
