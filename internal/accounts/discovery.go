package accounts

import (
	"context"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// discovery is what one discovery pass found and bound.
type discovery struct {
	bound    []int64 // every account now bound to the grant by this pass
	leaves   []int64 // leaf advertisers among them
	fresh    []int64 // accounts not bound to this grant before
	moved    []int64 // those of fresh that were bound to another grant (re-authorised)
	previous []int64 // other grants accounts were taken from
	returned []int64 // accounts of the grant that had left it and are listed again
	joined   []int64 // accounts put in the client of the manager account they were found under
	// listed holds every account the platform listed for the grant (bound
	// by this pass or not); unlisted holds the majordomo and agent accounts
	// whose children could not be listed.
	listed   map[int64]bool
	unlisted map[int64]bool
	warnings []string
}

func (d *discovery) add(r mysql.BindResult, roles map[int64]string) {
	d.bound = append(d.bound, r.Bound...)
	d.fresh = append(d.fresh, r.New...)
	d.moved = append(d.moved, r.Moved...)
	d.previous = append(d.previous, r.Previous...)
	d.returned = append(d.returned, r.Returned...)
	d.joined = append(d.joined, r.Joined...)
	for _, id := range r.Bound {
		if roles[id] == oceanengine.RoleAdvertiser {
			d.leaves = append(d.leaves, id)
		}
	}
}

func (d *discovery) finish() {
	for _, p := range []*[]int64{&d.bound, &d.leaves, &d.fresh, &d.moved, &d.previous, &d.returned, &d.joined} {
		*p = slices.Compact(slices.Sorted(slices.Values(*p)))
	}
}

// discover lists the grant's accounts (oauth2/advertiser/get), binds them,
// then lists the children of each majordomo and agent account bound to the
// grant and binds those. Children failures are warnings (the hourly job
// tries again); a failure to list the granted accounts is an error.
func (s *Service) discover(ctx context.Context, authID int64, accessToken string, mode mysql.BindMode) (discovery, error) {
	d := discovery{listed: map[int64]bool{}, unlisted: map[int64]bool{}}
	top, err := s.client.AuthorizedAccounts(ctx, accessToken)
	if err != nil {
		return d, fmt.Errorf("accounts: list the accounts of grant %d: %w", authID, err)
	}
	if len(top) == 0 {
		return d, fmt.Errorf("accounts: grant %d covers no account", authID)
	}
	roles := map[int64]string{}
	accts := make([]mysql.DiscoveredAccount, 0, len(top))
	for _, a := range top {
		role := a.AccountRole
		if role == "" {
			role = oceanengine.RoleAdvertiser
		}
		roles[int64(a.AdvertiserID)] = role
		d.listed[int64(a.AdvertiserID)] = true
		accts = append(accts, mysql.DiscoveredAccount{ID: int64(a.AdvertiserID), Name: a.AdvertiserName, AccountRole: role})
	}
	now := s.cfg.Now()
	r, err := s.db.BindAdvertisers(ctx, authID, accts, mode, now)
	if err != nil {
		return d, err
	}
	d.add(r, roles)
	// Calls below name these accounts: resolve them to this grant afresh.
	s.store.ForgetAdvertisers(r.Bound...)
	s.store.Invalidate(ctx, r.Previous...)

	onGrant := map[int64]bool{}
	for _, id := range r.Bound {
		onGrant[id] = true
	}
	if mode == mysql.BindAddOnly {
		bound, err := s.db.AdvertisersOfAuthorization(ctx, authID)
		if err != nil {
			return d, err
		}
		for _, b := range bound {
			onGrant[b.ID] = true
		}
	}
	var children []mysql.DiscoveredAccount
	for _, a := range top {
		id := int64(a.AdvertiserID)
		if !onGrant[id] {
			continue
		}
		var found []mysql.DiscoveredAccount
		var err error
		switch roles[id] {
		case oceanengine.RoleMajordomo:
			found, err = s.majordomoChildren(ctx, id)
		case oceanengine.RoleAgent, oceanengine.RoleChildAgent:
			found, err = s.agentChildren(ctx, id)
		default:
			continue
		}
		if err != nil {
			s.log.Warn("discover children", zap.Int64("authorization_id", authID), zap.Int64("parent_id", id), zap.Error(err))
			d.warnings = append(d.warnings, fmt.Sprintf("children of account %d: %v", id, err))
			d.unlisted[id] = true
			continue
		}
		children = append(children, found...)
	}
	for _, c := range children {
		roles[c.ID] = c.AccountRole
		d.listed[c.ID] = true
	}
	r, err = s.db.BindAdvertisers(ctx, authID, children, mode, now)
	if err != nil {
		return d, err
	}
	d.add(r, roles)
	s.store.ForgetAdvertisers(r.Bound...)
	s.store.Invalidate(ctx, r.Previous...)
	d.finish()
	return d, nil
}

func (s *Service) majordomoChildren(ctx context.Context, id int64) ([]mysql.DiscoveredAccount, error) {
	list, err := s.client.MajordomoAdvertisers(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]mysql.DiscoveredAccount, 0, len(list))
	for _, c := range list {
		out = append(out, mysql.DiscoveredAccount{ID: int64(c.AdvertiserID), Name: c.AdvertiserName,
			AccountRole: oceanengine.RoleAdvertiser, ParentID: id})
	}
	return out, nil
}

// agentChildren pages through an agent's advertisers (ids only) and names
// them with 2/advertiser/info, 100 at a time.
func (s *Service) agentChildren(ctx context.Context, id int64) ([]mysql.DiscoveredAccount, error) {
	var ids []int64
	for page, err := range s.client.AgentAdvertiserPages(ctx, oceanengine.AgentAdvertisersRequest{AdvertiserID: id, Page: 1, PageSize: 100}) {
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			ids = append(ids, int64(c))
		}
	}
	names := map[int64]string{}
	for chunk := range slices.Chunk(ids, 100) {
		infos, err := s.client.AdvertiserInfo(ctx, id, oceanengine.AdvertiserInfoRequest{AdvertiserIDs: chunk, Fields: []string{"id", "name"}})
		if err != nil {
			// Names are cosmetic here; the hourly info job fills them in.
			s.log.Warn("names of an agent's advertisers", zap.Int64("agent_id", id), zap.Error(err))
			break
		}
		for _, i := range infos {
			names[int64(i.ID)] = i.Name
		}
	}
	out := make([]mysql.DiscoveredAccount, 0, len(ids))
	for _, c := range ids {
		out = append(out, mysql.DiscoveredAccount{ID: c, Name: names[c], AccountRole: oceanengine.RoleAdvertiser, ParentID: id})
	}
	return out, nil
}
