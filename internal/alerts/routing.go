package alerts

import (
	"context"
	"maps"
	"slices"
	"time"
)

// beijing is the platform's and the teams' time zone (no DST since 1991).
var beijing = time.FixedZone("CST", 8*3600)

// thresholdSet resolves the thresholds of a kind for an advertiser:
// defaults, then the override for every advertiser, then the advertiser's.
type thresholdSet struct {
	all map[Kind]Threshold
	adv map[Kind]map[int64]Threshold
}

func newThresholdSet(ts []Threshold) thresholdSet {
	s := thresholdSet{all: map[Kind]Threshold{}, adv: map[Kind]map[int64]Threshold{}}
	for _, t := range ts {
		if t.AdvertiserID == 0 {
			s.all[t.Kind] = t
			continue
		}
		if s.adv[t.Kind] == nil {
			s.adv[t.Kind] = map[int64]Threshold{}
		}
		s.adv[t.Kind][t.AdvertiserID] = t
	}
	return s
}

// params returns the thresholds of kind k for advertiser adv and whether
// the kind is enabled for it.
func (s thresholdSet) params(k Kind, adv int64) (Params, bool) {
	p := defaults(k)
	on := true
	if t, ok := s.all[k]; ok {
		for n, v := range t.Params {
			p[n] = v
		}
		on = t.Enabled
	}
	if t, ok := s.adv[k][adv]; ok {
		for n, v := range t.Params {
			p[n] = v
		}
		on = t.Enabled
	}
	return p, on
}

// values returns the distinct values of one threshold across advertisers
// (the default or the override for all, and every advertiser override).
func (s thresholdSet) values(k Kind, name string) []float64 {
	p, _ := s.params(k, 0)
	out := []float64{p[name]}
	for _, t := range s.adv[k] {
		if v, ok := t.Params[name]; ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// routing is the subscriptions, channels and subscribers of one cycle.
type routing struct {
	subs        []Subscription
	channels    map[int64]SealedChannel
	subscribers map[int64]Subscriber
	teams       map[int64]Team
	// clientOf maps the advertisers that belong to a client to it.
	clientOf map[int64]int64
}

// loadRouting reads everything routing needs once.
func (s *Service) loadRouting(ctx context.Context) (*routing, error) {
	subs, err := s.store.Subscriptions(ctx, SubscriptionFilter{All: true})
	if err != nil {
		return nil, err
	}
	chs, err := s.store.Channels(ctx, ChannelFilter{All: true})
	if err != nil {
		return nil, err
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	clientOf, err := s.store.AdvertiserClients(ctx)
	if err != nil {
		return nil, err
	}
	r := &routing{channels: map[int64]SealedChannel{}, teams: map[int64]Team{}, clientOf: clientOf}
	for _, c := range chs {
		r.channels[c.ID] = c
	}
	var users []int64
	for _, t := range teams {
		r.teams[t.ID] = t
		users = append(users, t.MemberIDs...)
	}
	for _, sub := range subs {
		if sub.Enabled {
			r.subs = append(r.subs, sub)
			if sub.UserID > 0 {
				users = append(users, sub.UserID)
			}
		}
	}
	slices.Sort(users)
	r.subscribers, err = s.store.Subscribers(ctx, slices.Compact(users))
	if err != nil {
		return nil, err
	}
	return r, nil
}

// addSubscriber reads the subscriber of sub when routing has not (sub is
// disabled): the user, or the team's members.
func (r *routing) addSubscriber(ctx context.Context, s *Service, sub Subscription) error {
	users := []int64{sub.UserID}
	if sub.SubscriberType == SubscriberTeam {
		users = r.teams[sub.TeamID].MemberIDs
	}
	more, err := s.store.Subscribers(ctx, users)
	if err != nil {
		return err
	}
	if r.subscribers == nil {
		r.subscribers = map[int64]Subscriber{}
	}
	maps.Copy(r.subscribers, more)
	return nil
}

// sees reports whether the subscriber of sub may hear about advertiser
// adv: a user whose scope holds it, or a team with an active member whose
// active members' scopes all hold it.
func (r *routing) sees(sub Subscription, adv int64) bool {
	if sub.SubscriberType == SubscriberUser {
		return r.subscribers[sub.UserID].Sees(adv)
	}
	team, ok := r.teams[sub.TeamID]
	if !ok {
		return false
	}
	active := 0
	for _, id := range team.MemberIDs {
		m := r.subscribers[id]
		if !m.Active {
			continue
		}
		active++
		if !m.Sees(adv) {
			return false
		}
	}
	return active > 0
}

// names reports whether sub is about advertiser adv: one it names, one of
// a client it names, or any when it names none.
func (r *routing) names(sub Subscription, adv int64) bool {
	if len(sub.AdvertiserIDs) == 0 && len(sub.ClientIDs) == 0 || slices.Contains(sub.AdvertiserIDs, adv) {
		return true
	}
	c, ok := r.clientOf[adv]
	return ok && slices.Contains(sub.ClientIDs, c)
}

// routes returns the channels an announced event of alert a at severity
// sev goes to, each held until the earliest end of the quiet hours of the
// subscriptions routing it there (critical events are never held).
func (r *routing) routes(a Alert, sev Severity, now time.Time) []Route {
	best := map[int64]time.Time{}
	for _, sub := range r.subs {
		if sub.DigestOnly || (len(sub.Kinds) > 0 && !slices.Contains(sub.Kinds, a.Kind)) {
			continue
		}
		if sev.Rank() < sub.MinSeverity.Rank() {
			continue
		}
		if !r.names(sub, a.AdvertiserID) || !r.sees(sub, a.AdvertiserID) {
			continue
		}
		at := now
		if sev != SeverityCritical {
			at = quietUntil(sub, now)
		}
		for _, id := range sub.ChannelIDs {
			if c, ok := r.channels[id]; !ok || !c.Enabled {
				continue
			}
			if prev, ok := best[id]; !ok || at.Before(prev) {
				best[id] = at
			}
		}
	}
	out := make([]Route, 0, len(best))
	for id, at := range best {
		out = append(out, Route{ChannelID: id, NotBefore: at})
	}
	slices.SortFunc(out, func(a, b Route) int { return int(a.ChannelID - b.ChannelID) })
	return out
}

// quietUntil returns now, or the end of sub's quiet hours when now falls
// within them (Beijing time; a window may span midnight).
func quietUntil(sub Subscription, now time.Time) time.Time {
	if sub.QuietStart == nil || sub.QuietEnd == nil {
		return now
	}
	bj := now.In(beijing)
	m := bj.Hour()*60 + bj.Minute()
	start, end := *sub.QuietStart, *sub.QuietEnd
	in := start <= m && m < end
	if start > end {
		in = m >= start || m < end
	}
	if !in {
		return now
	}
	midnight := time.Date(bj.Year(), bj.Month(), bj.Day(), 0, 0, 0, 0, beijing)
	until := midnight.Add(time.Duration(end) * time.Minute)
	if !until.After(now) {
		until = until.AddDate(0, 0, 1)
	}
	return until.UTC()
}
