package alerts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// ---- alerts ----

// AlertDetail is an alert with its history.
type AlertDetail struct {
	Alert      Alert
	Events     []AlertEvent
	Deliveries []DeliveryInfo
}

// ListAlerts lists alerts about advertisers in the actor's scope.
func (s *Service) ListAlerts(ctx context.Context, actor Actor, f AlertFilter) ([]Alert, int64, error) {
	f.Scope = actor.Scope
	return s.store.Alerts(ctx, f)
}

// GetAlert returns an alert in the actor's scope with its history
// (KindNotFound otherwise).
func (s *Service) GetAlert(ctx context.Context, actor Actor, id int64) (AlertDetail, error) {
	a, err := s.store.Alert(ctx, AlertFilter{Scope: actor.Scope}, id)
	if err != nil {
		return AlertDetail{}, err
	}
	evs, ds, err := s.store.History(ctx, id)
	if err != nil {
		return AlertDetail{}, err
	}
	return AlertDetail{Alert: a, Events: evs, Deliveries: ds}, nil
}

// Acknowledge marks a firing alert in the actor's scope as being handled:
// no more reminders (escalations and the resolve message still come).
// KindConflict when it is resolved or acknowledged already.
func (s *Service) Acknowledge(ctx context.Context, actor Actor, id int64, note string) (Alert, error) {
	if len([]rune(note)) > 255 {
		return Alert{}, apperr.Validation(apperr.Field("note", "must be at most 255 characters").Because("max_length", "n", 255))
	}
	a, err := s.store.Alert(ctx, AlertFilter{Scope: actor.Scope}, id)
	if err != nil {
		return Alert{}, err
	}
	switch {
	case a.Status != StatusFiring:
		return Alert{}, apperr.Conflict("alert %d is %s; only firing alerts are acknowledged", id, a.Status).
			WithReason("alert_not_firing", "id", id, "alert_status", a.Status)
	case a.AcknowledgedAt != nil:
		return Alert{}, apperr.Conflict("alert %d was acknowledged already at %s", id, a.AcknowledgedAt.UTC().Format(time.RFC3339)).
			WithReason("alert_acknowledged_already", "id", id, "at", a.AcknowledgedAt.UTC().Format(time.RFC3339))
	}
	out, err := s.store.Acknowledge(ctx, id, actor.UserID, note, s.now())
	if err != nil {
		return Alert{}, err
	}
	s.metrics.events.WithLabelValues(string(out.Kind), string(EventAcknowledged)).Inc()
	return out, nil
}

// ---- channels ----

// ChannelInput creates or changes a channel. On update, empty URL, Secret
// and Password keep the stored ones (the API never shows them).
type ChannelInput struct {
	Name    string
	Config  channel.Config
	Enabled bool
	// Shared channels belong to no user; team subscriptions use them.
	// Only managers create them.
	Shared bool
}

func validName(field, name string, maxLen int) []apperr.FieldError {
	if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > maxLen {
		return []apperr.FieldError{apperr.Field(field, "must be 1 to %d characters", maxLen).Because("length_between", "min", 1, "max", maxLen)}
	}
	return nil
}

// CreateChannel creates a channel owned by the actor (or shared, for
// managers). KindValidation names bad fields; KindUnavailable when no
// encryption key is configured.
func (s *Service) CreateChannel(ctx context.Context, actor Actor, in ChannelInput) (Channel, error) {
	errs := append(validName("name", in.Name, 64), in.Config.Validate()...)
	if in.Shared && !actor.Manage {
		errs = append(errs, apperr.Field("shared", "only alert managers create shared channels").Because("alerts_shared_manager"))
	}
	if len(errs) > 0 {
		return Channel{}, apperr.Validation(errs...)
	}
	if s.keys == nil {
		return Channel{}, apperr.New(apperr.KindUnavailable, "channels cannot be created: no encryption key is configured (crypto.keys, crypto.active_key)").
			WithReason("not_configured", "what", "encryption_key")
	}
	now := s.now()
	sc := SealedChannel{ChannelRecord: ChannelRecord{Name: strings.TrimSpace(in.Name), Type: in.Config.Type, Target: in.Config.Target(),
		Enabled: in.Enabled, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}}
	if !in.Shared {
		sc.OwnerUserID = actor.UserID
	}
	out, err := s.store.CreateChannel(ctx, sc, func(id int64) ([]byte, []byte, string, error) { return s.seal(id, in.Config) })
	if err != nil {
		return Channel{}, err
	}
	return s.view(out), nil
}

// channelFor returns a channel the actor may manage (KindNotFound otherwise).
func (s *Service) channelFor(ctx context.Context, actor Actor, id int64) (SealedChannel, error) {
	sc, err := s.store.Channel(ctx, id)
	if err != nil {
		return SealedChannel{}, err
	}
	if !actor.Manage && sc.OwnerUserID != actor.UserID {
		return SealedChannel{}, apperr.NotFound("channel")
	}
	return sc, nil
}

// UpdateChannel replaces a channel's name, settings and enabled switch;
// its type cannot change.
func (s *Service) UpdateChannel(ctx context.Context, actor Actor, id int64, in ChannelInput) (Channel, error) {
	sc, err := s.channelFor(ctx, actor, id)
	if err != nil {
		return Channel{}, err
	}
	if in.Config.Type != sc.Type {
		return Channel{}, apperr.Validation(apperr.Field("type", "cannot change (%s); create a new channel", sc.Type).Because("channel_type_fixed", "type", sc.Type))
	}
	old, err := s.openChannel(sc)
	if err != nil {
		return Channel{}, err
	}
	cfg := in.Config
	if cfg.URL == "" {
		cfg.URL = old.URL
	}
	if cfg.Secret == "" {
		cfg.Secret = old.Secret
	}
	if cfg.Password == "" {
		cfg.Password = old.Password
	}
	if errs := append(validName("name", in.Name, 64), cfg.Validate()...); len(errs) > 0 {
		return Channel{}, apperr.Validation(errs...)
	}
	settings, sealed, keyID, err := s.seal(id, cfg)
	if err != nil {
		return Channel{}, err
	}
	sc.Name, sc.Settings, sc.Secrets, sc.KeyID, sc.Target, sc.Enabled, sc.UpdatedAt =
		strings.TrimSpace(in.Name), settings, sealed, keyID, cfg.Target(), in.Enabled, s.now()
	out, err := s.store.UpdateChannel(ctx, sc)
	if err != nil {
		return Channel{}, err
	}
	return s.view(out), nil
}

// DeleteChannel deletes a channel the actor may manage; its pending
// deliveries are dropped.
func (s *Service) DeleteChannel(ctx context.Context, actor Actor, id int64) error {
	if _, err := s.channelFor(ctx, actor, id); err != nil {
		return err
	}
	return s.store.DeleteChannel(ctx, id)
}

// GetChannel returns a channel the actor may manage, secrets left out.
func (s *Service) GetChannel(ctx context.Context, actor Actor, id int64) (Channel, error) {
	sc, err := s.channelFor(ctx, actor, id)
	if err != nil {
		return Channel{}, err
	}
	return s.view(sc), nil
}

// ListChannels lists the actor's channels (every channel for managers).
func (s *Service) ListChannels(ctx context.Context, actor Actor) ([]Channel, error) {
	scs, err := s.store.Channels(ctx, ChannelFilter{OwnerUserID: actor.UserID, All: actor.Manage})
	if err != nil {
		return nil, err
	}
	out := make([]Channel, len(scs))
	for i, sc := range scs {
		out[i] = s.view(sc)
	}
	return out, nil
}

// view is a channel as shown: settings without secrets, the target masked.
func (s *Service) view(sc SealedChannel) Channel {
	c := Channel{ChannelRecord: sc.ChannelRecord}
	cfg, err := s.openChannel(sc)
	if err != nil {
		// Settings are readable without the key; only secrets are not.
		cfg.Type = sc.Type
	}
	hasSecret, hasPassword := cfg.Secret != "", cfg.Password != ""
	cfg.URL, cfg.Secret, cfg.Password = "", "", ""
	if hasSecret {
		cfg.Secret = "****"
	}
	if hasPassword {
		cfg.Password = "****"
	}
	c.Config = cfg
	return c
}

// TestResult is the outcome of a test message.
type TestResult struct {
	OK       bool
	Attempts int
	Response string
	Error    string
	// Temporary failures may pass on a later try.
	Temporary bool
}

// TestChannel sends a test message through a channel the actor may manage
// now, and reports what the receiver answered.
func (s *Service) TestChannel(ctx context.Context, actor Actor, id int64) (TestResult, error) {
	sc, err := s.channelFor(ctx, actor, id)
	if err != nil {
		return TestResult{}, err
	}
	now := s.now()
	msg := channel.Message{ID: newUID(), At: now, Title: "OceanOps 测试消息", Level: channel.LevelInfo,
		Intro: now.In(beijing).Format("2006-01-02 15:04") + "（北京时间）",
		Sections: []channel.Section{{Heading: "测试", Level: channel.LevelInfo,
			Lines: []string{fmt.Sprintf("渠道「%s」可以收到 OceanOps 的告警（由 %s 发起测试）", sc.Name, orDash(actor.Username))}}},
		Footer: "OceanOps", Data: []EventPayload{}}
	if s.opts.ConsoleURL != "" {
		msg.Link = strings.TrimSuffix(s.opts.ConsoleURL, "/") + "/alerts"
	}
	res, err := s.deliver(ctx, sc, msg)
	if err != nil {
		return TestResult{}, err
	}
	return res, nil
}

// deliver sends msg through sc now and records the channel's last outcome.
// The result is what the receiver answered; the error is ours: the
// channel's secrets unreadable (nothing sent, Attempts 0) or the outcome
// not recorded.
func (s *Service) deliver(ctx context.Context, sc SealedChannel, msg channel.Message) (TestResult, error) {
	cfg, err := s.openChannel(sc)
	if err != nil {
		return TestResult{}, err
	}
	res, sendErr := s.sender.Send(ctx, cfg, msg)
	out, errMsg := TestResult{OK: true, Attempts: res.Attempts, Response: res.Response}, ""
	if sendErr != nil {
		errMsg = cut(sendErr.Error(), 500)
		var ce *channel.Error
		attempts := 1
		if errors.As(sendErr, &ce) {
			attempts = ce.Attempts
		}
		out = TestResult{Attempts: attempts, Error: errMsg, Temporary: channel.IsTemporary(sendErr)}
	}
	return out, s.store.ChannelOutcome(ctx, sc.ID, msg.At, errMsg)
}

// ---- subscriptions ----

// SubscriptionInput creates or changes a subscription. UserID 0 and
// TeamID 0 subscribe the actor; another user or a team needs alert:manage.
type SubscriptionInput struct {
	Name          string
	UserID        int64
	TeamID        int64
	Kinds         []Kind
	AdvertiserIDs []int64
	// ClientIDs: the accounts of these clients too (at most 100).
	ClientIDs   []int64
	MinSeverity Severity
	// QuietStart and QuietEnd are "HH:MM" Beijing time; both or neither.
	QuietStart, QuietEnd string
	ChannelIDs           []int64
	Enabled              bool
	// DigestOnly: no alerts, the digest only.
	DigestOnly bool
	// DigestAt is the digest's Beijing time "HH:MM" ("": none).
	DigestAt string
	// DigestWeekday (1 Monday … 7 Sunday) makes the digest weekly; nil: daily.
	DigestWeekday *int
	// DigestMonthly makes the digest monthly (the month before), on the
	// DigestMonthDay of each month (1 … 28; nil: the 1st).
	DigestMonthly  bool
	DigestMonthDay *int
}

// parseClock parses "HH:MM" into minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// digestSchedule validates the digest's time and period (weekday or
// day of the month) of in and sets them on sub.
func digestSchedule(in SubscriptionInput, sub *Subscription) []apperr.FieldError {
	var errs []apperr.FieldError
	if in.DigestAt != "" {
		if m, ok := parseClock(in.DigestAt); ok {
			sub.DigestMinute = &m
		} else {
			errs = append(errs, apperr.Field("digest_at", "must be HH:MM (Beijing time)").Because("clock"))
		}
	}
	if w := in.DigestWeekday; w != nil {
		switch {
		case *w < 1 || *w > 7:
			errs = append(errs, apperr.Field("digest_weekday", "must be 1 (Monday) to 7 (Sunday)").Because("between", "min", 1, "max", 7))
		case in.DigestAt == "":
			errs = append(errs, apperr.Field("digest_weekday", "a weekly digest needs digest_at, its time").Because("weekday_needs_time"))
		default:
			sub.DigestWeekday = w
		}
	}
	errs = append(errs, monthDay(in, sub)...)
	if in.DigestOnly && in.DigestAt == "" {
		errs = append(errs, apperr.Field("alerts", "a subscription receives alerts, a daily digest or both").Because("nothing_to_send"))
	}
	return errs
}

// monthDay validates the monthly digest's day of in and sets it on sub.
func monthDay(in SubscriptionInput, sub *Subscription) []apperr.FieldError {
	day := 1
	if d := in.DigestMonthDay; d != nil {
		switch {
		case !in.DigestMonthly:
			return []apperr.FieldError{apperr.Field("digest_month_day", "a day of the month is for a monthly digest (digest_monthly)").Because("month_day_needs_monthly")}
		case *d < 1 || *d > 28:
			return []apperr.FieldError{apperr.Field("digest_month_day", "must be 1 to 28, a day every month has").Because("between", "min", 1, "max", 28)}
		}
		day = *d
	}
	switch {
	case !in.DigestMonthly:
		return nil
	case in.DigestWeekday != nil:
		return []apperr.FieldError{apperr.Field("digest_monthly", "a digest is weekly or monthly, not both").Because("not_both", "a", "digest_weekday", "b", "digest_monthly")}
	case in.DigestAt == "":
		return []apperr.FieldError{apperr.Field("digest_monthly", "a monthly digest needs digest_at, its time").Because("monthly_needs_time")}
	}
	sub.DigestMonthDay = &day
	return nil
}

// subscription validates in and builds the subscription (ID 0).
func (s *Service) subscription(ctx context.Context, actor Actor, in SubscriptionInput) (Subscription, error) {
	sub := Subscription{Name: strings.TrimSpace(in.Name), Kinds: in.Kinds, MinSeverity: in.MinSeverity, Enabled: in.Enabled,
		DigestOnly: in.DigestOnly}
	errs := digestSchedule(in, &sub)
	if len([]rune(sub.Name)) > 64 {
		errs = append(errs, apperr.Field("name", "must be at most 64 characters").Because("max_length", "n", 64))
	}
	switch {
	case in.TeamID != 0 && in.UserID != 0:
		errs = append(errs, apperr.Field("team_id", "a subscription is for a user or a team, not both").Because("subscriber_both"))
	case in.TeamID != 0:
		sub.SubscriberType, sub.TeamID = SubscriberTeam, in.TeamID
		if !actor.Manage {
			errs = append(errs, apperr.Field("team_id", "only alert managers subscribe teams").Because("alerts_team_manager"))
		} else if _, err := s.store.Team(ctx, in.TeamID); apperr.Is(err, apperr.KindNotFound) {
			errs = append(errs, apperr.Field("team_id", "team %d does not exist", in.TeamID).Because("team_missing", "id", in.TeamID))
		} else if err != nil {
			return sub, err
		}
	default:
		sub.SubscriberType, sub.UserID = SubscriberUser, actor.UserID
		if in.UserID != 0 && in.UserID != actor.UserID {
			sub.UserID = in.UserID
			if !actor.Manage {
				errs = append(errs, apperr.Field("user_id", "only alert managers subscribe other users").Because("alerts_user_manager"))
			} else if ok, err := s.store.UserExists(ctx, in.UserID); err != nil {
				return sub, err
			} else if !ok {
				errs = append(errs, apperr.Field("user_id", "user %d does not exist", in.UserID).Because("user_missing", "id", in.UserID))
			}
		}
	}
	for i, k := range in.Kinds {
		if !k.Valid() {
			errs = append(errs, apperr.Field(fmt.Sprintf("kinds[%d]", i), "unknown alert kind %q", k).Because("unknown_kind", "kind", k))
		}
	}
	slices.Sort(sub.Kinds)
	sub.Kinds = slices.Compact(sub.Kinds)
	if sub.MinSeverity == "" {
		sub.MinSeverity = SeverityInfo
	}
	if !sub.MinSeverity.Valid() {
		errs = append(errs, apperr.Field("min_severity", "must be info, warning or critical").Because("oneof", "values", "info, warning, critical"))
	}
	switch {
	case in.QuietStart == "" && in.QuietEnd == "":
	case in.QuietStart == "" || in.QuietEnd == "":
		errs = append(errs, apperr.Field("quiet_hours", "set both start and end, or neither").Because("quiet_hours_both"))
	default:
		st, ok1 := parseClock(in.QuietStart)
		en, ok2 := parseClock(in.QuietEnd)
		switch {
		case !ok1:
			errs = append(errs, apperr.Field("quiet_hours.start", "must be HH:MM (Beijing time)").Because("clock"))
		case !ok2:
			errs = append(errs, apperr.Field("quiet_hours.end", "must be HH:MM (Beijing time)").Because("clock"))
		case st == en:
			errs = append(errs, apperr.Field("quiet_hours.end", "must differ from the start").Because("quiet_hours_same"))
		default:
			sub.QuietStart, sub.QuietEnd = &st, &en
		}
	}
	if len(in.AdvertiserIDs) > 1000 {
		errs = append(errs, apperr.Field("advertiser_ids", "must list at most 1000 advertisers").Because("max_items", "n", 1000))
	}
	sub.AdvertiserIDs = slices.Compact(slices.Sorted(slices.Values(in.AdvertiserIDs)))
	if sub.SubscriberType == SubscriberUser && len(sub.AdvertiserIDs) > 0 && len(errs) == 0 {
		// Say so now rather than route nothing later.
		scopes, err := s.store.Subscribers(ctx, []int64{sub.UserID})
		if err != nil {
			return sub, err
		}
		for _, id := range sub.AdvertiserIDs {
			if !scopes[sub.UserID].Sees(id) {
				errs = append(errs, apperr.Field("advertiser_ids", "advertiser %d is not in the subscriber's scope", id).Because("not_in_subscriber_scope", "id", id))
				break
			}
		}
	}
	if err := s.subscriptionClients(ctx, &sub, in.ClientIDs, &errs); err != nil {
		return sub, err
	}
	if len(in.ChannelIDs) == 0 || len(in.ChannelIDs) > 20 {
		errs = append(errs, apperr.Field("channel_ids", "must list 1 to 20 channels").Because("items_between", "min", 1, "max", 20))
	}
	sub.ChannelIDs = slices.Compact(slices.Sorted(slices.Values(in.ChannelIDs)))
	for _, id := range sub.ChannelIDs {
		c, err := s.store.Channel(ctx, id)
		switch {
		case apperr.Is(err, apperr.KindNotFound):
			errs = append(errs, apperr.Field("channel_ids", "channel %d does not exist", id).Because("channel_missing", "id", id))
		case err != nil:
			return sub, err
		case !actor.Manage && c.OwnerUserID != actor.UserID:
			// A channel of someone else is as good as absent.
			errs = append(errs, apperr.Field("channel_ids", "channel %d does not exist", id).Because("channel_missing", "id", id))
		}
	}
	if len(errs) > 0 {
		return sub, apperr.Validation(errs...)
	}
	return sub, nil
}

// subscriptionClients sets the clients of sub, each of which must exist.
func (s *Service) subscriptionClients(ctx context.Context, sub *Subscription, ids []int64, errs *[]apperr.FieldError) error {
	if len(ids) > 100 {
		*errs = append(*errs, apperr.Field("client_ids", "must list at most 100 clients").Because("max_items", "n", 100))
		return nil
	}
	sub.ClientIDs = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(sub.ClientIDs) == 0 {
		return nil
	}
	known, err := s.store.KnownClients(ctx, sub.ClientIDs)
	if err != nil {
		return err
	}
	for _, id := range sub.ClientIDs {
		if !slices.Contains(known, id) {
			*errs = append(*errs, apperr.Field("client_ids", "client %d does not exist", id).Because("client_missing", "id", id))
			break
		}
	}
	return nil
}

// subscriptionFor returns a subscription the actor may manage.
func (s *Service) subscriptionFor(ctx context.Context, actor Actor, id int64) (Subscription, error) {
	sub, err := s.store.Subscription(ctx, id)
	if err != nil {
		return Subscription{}, err
	}
	if !actor.Manage && (sub.SubscriberType != SubscriberUser || sub.UserID != actor.UserID) {
		return Subscription{}, apperr.NotFound("subscription")
	}
	return sub, nil
}

// CreateSubscription subscribes the actor (or, for managers, another user
// or a team). A user only ever hears about advertisers in their scope; a
// team about those every active member may see.
func (s *Service) CreateSubscription(ctx context.Context, actor Actor, in SubscriptionInput) (Subscription, error) {
	sub, err := s.subscription(ctx, actor, in)
	if err != nil {
		return Subscription{}, err
	}
	now := s.now()
	sub.CreatedBy, sub.CreatedAt, sub.UpdatedAt = actor.UserID, now, now
	return s.store.CreateSubscription(ctx, sub)
}

// UpdateSubscription replaces a subscription the actor may manage.
func (s *Service) UpdateSubscription(ctx context.Context, actor Actor, id int64, in SubscriptionInput) (Subscription, error) {
	old, err := s.subscriptionFor(ctx, actor, id)
	if err != nil {
		return Subscription{}, err
	}
	if in.UserID == 0 && in.TeamID == 0 {
		in.UserID, in.TeamID = old.UserID, old.TeamID
	}
	sub, err := s.subscription(ctx, actor, in)
	if err != nil {
		return Subscription{}, err
	}
	sub.ID, sub.CreatedBy, sub.CreatedAt, sub.UpdatedAt = id, old.CreatedBy, old.CreatedAt, s.now()
	return s.store.UpdateSubscription(ctx, sub)
}

// DeleteSubscription deletes a subscription the actor may manage.
func (s *Service) DeleteSubscription(ctx context.Context, actor Actor, id int64) error {
	if _, err := s.subscriptionFor(ctx, actor, id); err != nil {
		return err
	}
	return s.store.DeleteSubscription(ctx, id)
}

// GetSubscription returns a subscription the actor may manage.
func (s *Service) GetSubscription(ctx context.Context, actor Actor, id int64) (Subscription, error) {
	return s.subscriptionFor(ctx, actor, id)
}

// ListSubscriptions lists the actor's subscriptions (every one for managers).
func (s *Service) ListSubscriptions(ctx context.Context, actor Actor) ([]Subscription, error) {
	return s.store.Subscriptions(ctx, SubscriptionFilter{UserID: actor.UserID, All: actor.Manage})
}

// ---- teams ----

// TeamInput creates or changes a team.
type TeamInput struct {
	Name        string
	Description string
	MemberIDs   []int64
}

// needsManage refuses what (managing teams) to an actor without alert:manage.
func needsManage(what string) *apperr.Error {
	return apperr.Forbidden("%s needs the %s permission", what, auth.PermAlertManage).
		WithReason("forbidden_permission", "permission", auth.PermAlertManage)
}

func (s *Service) team(ctx context.Context, actor Actor, in TeamInput) (Team, error) {
	if !actor.Manage {
		return Team{}, needsManage("managing teams")
	}
	t := Team{Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description),
		MemberIDs: slices.Compact(slices.Sorted(slices.Values(in.MemberIDs)))}
	errs := validName("name", in.Name, 64)
	if len([]rune(t.Description)) > 255 {
		errs = append(errs, apperr.Field("description", "must be at most 255 characters").Because("max_length", "n", 255))
	}
	if len(t.MemberIDs) > 500 {
		errs = append(errs, apperr.Field("member_ids", "must list at most 500 users").Because("max_items", "n", 500))
	}
	for _, id := range t.MemberIDs {
		ok, err := s.store.UserExists(ctx, id)
		if err != nil {
			return t, err
		}
		if !ok {
			errs = append(errs, apperr.Field("member_ids", "user %d does not exist", id).Because("user_missing", "id", id))
		}
	}
	if len(errs) > 0 {
		return t, apperr.Validation(errs...)
	}
	return t, nil
}

// CreateTeam creates a team (alert:manage). KindConflict when the name is taken.
func (s *Service) CreateTeam(ctx context.Context, actor Actor, in TeamInput) (Team, error) {
	t, err := s.team(ctx, actor, in)
	if err != nil {
		return Team{}, err
	}
	now := s.now()
	t.CreatedBy, t.CreatedAt, t.UpdatedAt = actor.UserID, now, now
	return s.store.CreateTeam(ctx, t)
}

// UpdateTeam replaces a team's name, description and members (alert:manage).
func (s *Service) UpdateTeam(ctx context.Context, actor Actor, id int64, in TeamInput) (Team, error) {
	t, err := s.team(ctx, actor, in)
	if err != nil {
		return Team{}, err
	}
	old, err := s.store.Team(ctx, id)
	if err != nil {
		return Team{}, err
	}
	t.ID, t.CreatedBy, t.CreatedAt, t.UpdatedAt = id, old.CreatedBy, old.CreatedAt, s.now()
	return s.store.UpdateTeam(ctx, t)
}

// DeleteTeam deletes a team and its subscriptions (alert:manage).
func (s *Service) DeleteTeam(ctx context.Context, actor Actor, id int64) error {
	if !actor.Manage {
		return needsManage("managing teams")
	}
	return s.store.DeleteTeam(ctx, id)
}

// GetTeam returns a team.
func (s *Service) GetTeam(ctx context.Context, id int64) (Team, error) { return s.store.Team(ctx, id) }

// ListTeams lists the teams.
func (s *Service) ListTeams(ctx context.Context) ([]Team, error) { return s.store.Teams(ctx) }

// ---- thresholds ----

// ThresholdInput sets the thresholds of a kind for every advertiser
// (AdvertiserID 0) or one advertiser; the params not set keep the values
// of the broader scope (the defaults for every advertiser).
type ThresholdInput struct {
	Kind         Kind
	AdvertiserID int64
	Enabled      bool
	Params       Params
}

// PutThreshold sets an override (alert:manage).
func (s *Service) PutThreshold(ctx context.Context, actor Actor, in ThresholdInput) (Threshold, error) {
	if !actor.Manage {
		return Threshold{}, needsManage("setting thresholds")
	}
	var errs []apperr.FieldError
	info, ok := in.Kind.Info()
	switch {
	case !ok:
		errs = append(errs, apperr.Field("kind", "unknown alert kind %q", in.Kind).Because("unknown_kind", "kind", in.Kind))
	case !info.Evaluated:
		errs = append(errs, apperr.Field("kind", "%s is not evaluated: it has no thresholds", in.Kind).Because("kind_not_evaluated", "alert_kind", in.Kind))
	default:
		errs = append(errs, in.Kind.Validate(in.Params)...)
	}
	if in.AdvertiserID < 0 {
		errs = append(errs, apperr.Field("advertiser_id", "must be 0 (every advertiser) or an advertiser id").Because("min", "n", 0))
	}
	if len(errs) == 0 && in.AdvertiserID > 0 {
		known, err := s.isAccount(ctx, in.AdvertiserID)
		if err != nil {
			return Threshold{}, err
		}
		if !known {
			errs = append(errs, apperr.Field("advertiser_id", "%d is no bound advertiser account (thresholds apply to advertiser accounts)", in.AdvertiserID).
				Because("unknown_advertiser", "id", in.AdvertiserID))
		}
	}
	if len(errs) > 0 {
		return Threshold{}, apperr.Validation(errs...)
	}
	if in.Params == nil {
		in.Params = Params{}
	}
	now := s.now()
	return s.store.PutThreshold(ctx, Threshold{Kind: in.Kind, AdvertiserID: in.AdvertiserID, Enabled: in.Enabled,
		Params: in.Params, UpdatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now})
}

// isAccount tells whether id is a bound leaf advertiser: the accounts the
// evaluators judge, and so the ones a threshold of its own can apply to.
func (s *Service) isAccount(ctx context.Context, id int64) (bool, error) {
	accounts, err := s.facts.Accounts(ctx)
	if err != nil {
		return false, fmt.Errorf("alerts: threshold advertiser: %w", err)
	}
	return slices.ContainsFunc(accounts, func(a Account) bool { return a.ID == id }), nil
}

// DeleteThreshold removes an override (alert:manage).
func (s *Service) DeleteThreshold(ctx context.Context, actor Actor, id int64) error {
	if !actor.Manage {
		return needsManage("setting thresholds")
	}
	return s.store.DeleteThreshold(ctx, id)
}

// ListThresholds lists the overrides.
func (s *Service) ListThresholds(ctx context.Context) ([]Threshold, error) {
	return s.store.Thresholds(ctx)
}

// EffectiveParams returns the thresholds of a kind for an advertiser (0:
// every advertiser) and whether the kind is enabled for it.
func (s *Service) EffectiveParams(ctx context.Context, k Kind, advertiserID int64) (Params, bool, error) {
	ts, err := s.store.Thresholds(ctx)
	if err != nil {
		return nil, false, err
	}
	p, on := newThresholdSet(ts).params(k, advertiserID)
	return p, on, nil
}
