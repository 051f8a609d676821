package adops

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
)

// SettleJobKind is the worker's periodic job that settles stale pending
// changes (SettlePending).
const SettleJobKind = "adops:settle_pending"

// DefaultSettleEvery is the period of SettleJobKind.
const DefaultSettleEvery = 5 * time.Minute

// settleBatch bounds the pending changes one sweep settles; the next run
// takes the rest.
const settleBatch = 500

// SettleReport counts what one sweep did.
type SettleReport struct {
	// Found is the stale pending changes the sweep looked at.
	Found int
	// Succeeded, Failed and Unknown are the changes settled so.
	Succeeded, Failed, Unknown int
	// Busy is the changes whose entity a live change holds (left alone);
	// Left the changes left pending because reading the platform failed.
	Busy, Left int
}

// SettlePending settles the pending changes whose operation ended (its
// process died) between sending a change and recording the outcome: the
// changes older than the lock TTL whose entity no live change holds. For
// each entity it takes the entity's lock (so it never races a live
// change), reads the entity back from the platform and records the result
// as a retry of the request would (settleRead): the requested value shown,
// succeeded; the value before, failed; anything else, unknown. A change
// whose read fails stays pending for the next run. Without a platform
// client it does nothing.
func (s *Service) SettlePending(ctx context.Context) (SettleReport, error) {
	var rep SettleReport
	if s.p == nil {
		return rep, nil
	}
	now := s.now()
	stale, err := s.db.StalePendingAdChanges(ctx, now.Add(-s.opts.LockTTL), now, settleBatch)
	if err != nil {
		return rep, err
	}
	rep.Found = len(stale)
	if len(stale) == 0 {
		return rep, nil
	}
	holder := newToken()
	locked := map[lockedEntity]bool{}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		for e, ok := range locked {
			if !ok {
				continue
			}
			if err := s.db.UnlockAdEntities(uctx, e.kind, []int64{e.id}, holder); err != nil {
				s.log.Error("unlock entities", zap.String("kind", e.kind), zap.Error(err))
			}
		}
	}()
	groups, err := s.lockStale(ctx, stale, holder, now, locked, &rep)
	if err != nil {
		return rep, err
	}
	for _, g := range groups {
		if err := s.settleGroup(ctx, g, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

type lockedEntity struct {
	kind string
	id   int64
}

// staleGroup is the stale pending changes of one kind and advertiser whose
// entities the sweep holds.
type staleGroup struct {
	kind    string
	adv     int64
	changes []mysql.AdChange
}

// lockStale locks the entities of the stale changes one by one (one held
// by a live change is skipped, not the others with it; locked records
// each attempt), reads each change again under its lock (a change of the
// entity may have resolved it since it was listed) and groups the still
// pending ones by kind and advertiser.
func (s *Service) lockStale(ctx context.Context, stale []mysql.AdChange, holder string, now time.Time, locked map[lockedEntity]bool,
	rep *SettleReport) ([]*staleGroup, error) {
	var out []*staleGroup
	type groupKey struct {
		kind string
		adv  int64
	}
	at := map[groupKey]*staleGroup{}
	for _, c := range stale {
		e := lockedEntity{c.EntityKind, c.EntityID}
		if _, tried := locked[e]; !tried {
			busy, err := s.db.LockAdEntities(ctx, e.kind, []int64{e.id}, holder, "settle-pending", now, now.Add(s.opts.LockTTL))
			if err != nil {
				return nil, err
			}
			locked[e] = len(busy) == 0
		}
		if !locked[e] {
			rep.Busy++
			continue
		}
		cur, err := s.db.AdChangeByID(ctx, auth.SystemScope(), c.ID)
		if err != nil {
			return nil, err
		}
		if cur.Result != mysql.ChangePending {
			continue
		}
		k := groupKey{c.EntityKind, c.AdvertiserID}
		g, ok := at[k]
		if !ok {
			g = &staleGroup{kind: c.EntityKind, adv: c.AdvertiserID}
			at[k] = g
			out = append(out, g)
		}
		g.changes = append(g.changes, cur)
	}
	return out, nil
}

// settleGroup reads the entities of g back and records the result of each
// change; when the read fails, the changes stay pending.
func (s *Service) settleGroup(ctx context.Context, g *staleGroup, rep *SettleReport) error {
	cs := g.changes
	var ids []int64
	for _, c := range cs {
		if !slices.Contains(ids, c.EntityID) {
			ids = append(ids, c.EntityID)
		}
	}
	got, err := readPlatform(ctx, s.p, Kind(g.kind), g.adv, ids)
	if err != nil {
		rep.Left += len(cs)
		s.log.Warn("stale pending changes left pending: reading the entities back failed", zap.String("kind", g.kind),
			zap.Int64("advertiser_id", g.adv), zap.Int("changes", len(cs)), zap.Error(err))
		return nil
	}
	finished := s.now()
	outs := make([]mysql.AdChangeOutcome, 0, len(cs))
	for _, c := range cs {
		sn, ok := got[c.EntityID]
		var shows Value
		if ok {
			shows = sn.value(Field(c.Field))
		}
		o := mysql.AdChangeOutcome{ID: c.ID, After: shows.row(), Result: settleRead(ValueOf(c.Before), ValueOf(c.Requested), shows),
			Verified: ok, FinishedAt: finished}
		const ended = "the operation ended before recording the platform's answer; settled by the sweep of stale pending changes, which "
		switch {
		case !ok:
			o.Result = mysql.ChangeUnknown
			o.ErrorMessage = ended + fmt.Sprintf("found that the platform no longer returns %s %d", c.EntityKind, c.EntityID)
		case o.Result == mysql.ChangeSucceeded:
			o.ErrorMessage = ended + "read the entity back and found the change applied"
		case o.Result == mysql.ChangeFailed:
			o.ErrorMessage = ended + "read the entity back and found the change not applied"
		default:
			o.ErrorMessage = ended + fmt.Sprintf("read back %s, neither the value before nor the one requested", orUnknown(shows))
		}
		outs = append(outs, o)
	}
	if err := s.db.FinishAdChanges(ctx, outs); err != nil {
		return err
	}
	for i, o := range outs {
		c := cs[i]
		switch o.Result {
		case mysql.ChangeSucceeded:
			rep.Succeeded++
		case mysql.ChangeFailed:
			rep.Failed++
		default:
			rep.Unknown++
		}
		s.metrics.changes.WithLabelValues(c.EntityKind, c.Field, o.Result).Inc()
		s.log.Warn("settled a stale pending change by reading the entity back", zap.String("kind", c.EntityKind),
			zap.Int64("id", c.EntityID), zap.String("field", c.Field), zap.Int64("change_id", c.ID), zap.String("result", o.Result),
			zap.Time("created_at", c.CreatedAt))
	}
	for _, id := range ids {
		if sn, ok := got[id]; ok {
			if err := upsertMirror(ctx, s.db, sn, s.now()); err != nil {
				s.log.Warn("refresh mirror", zap.Int64("id", id), zap.Error(err))
			}
		}
	}
	return nil
}
