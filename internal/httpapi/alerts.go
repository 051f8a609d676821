package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/alerts"
	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// Business alerts: GET /alerts (alert:read, the caller's advertisers),
// GET /alerts/{id}, POST /alerts/{id}/ack (alert:ack), GET /alerts/kinds;
// channels and subscriptions (alert:subscribe: one's own; alert:manage:
// everyone's), POST /alerts/channels/{id}/test; teams and thresholds
// (alert:manage). The handlers translate HTTP to alerts.Service calls;
// the service enforces ownership and scope.

func (s *Server) alertRoutes(v1 *gin.RouterGroup) {
	g := v1.Group("/alerts", s.requireAuth(), requireService(s.alertsService))
	read := s.requirePerm(auth.PermAlertRead)
	sub := s.requirePerm(auth.PermAlertSubscribe)
	manage := s.requirePerm(auth.PermAlertManage)
	g.GET("", read, s.listAlerts)
	g.GET("/kinds", read, s.alertKinds)
	g.GET("/:id", read, s.getAlert)
	s.audited(g, http.MethodPost, "/:id/ack", "alert.ack", "alert", s.requirePerm(auth.PermAlertAck), s.withIdempotency(false, s.ackAlert))

	channels := g.Group("/channels", sub)
	s.crudRoutes(channels, "alert_channel", s.alertChannelHandlers())
	s.audited(channels, http.MethodPost, "/:id/test", "alert_channel.test", "alert_channel", s.withIdempotency(false, s.testAlertChannel))
	subs := g.Group("/subscriptions", sub)
	s.crudRoutes(subs, "alert_subscription", s.alertSubscriptionHandlers())
	subs.GET("/:id/digest", s.alertDigest)
	s.audited(subs, http.MethodPost, "/:id/digest", "alert_subscription.digest", "alert_subscription", s.withIdempotency(false, s.sendAlertDigest))
	s.crudRoutes(g.Group("/teams", manage), "alert_team", s.alertTeamHandlers())

	g.GET("/thresholds", read, s.listAlertThresholds)
	s.audited(g, http.MethodPut, "/thresholds", "alert_threshold.put", "alert_threshold", manage, s.withIdempotency(false, s.putAlertThreshold))
	s.audited(g, http.MethodDelete, "/thresholds/:id", "alert_threshold.delete", "alert_threshold", manage, s.withIdempotency(false, s.deleteAlertThreshold))
}

func (s *Server) alertsService() (*alerts.Service, error) {
	return configured(s.deps.Alerts, "alerts", "alerts are not configured on this server")
}

func alertActor(c *gin.Context) alerts.Actor {
	p, _ := principalFrom(c)
	return alerts.ActorOf(p)
}

// alertCollection is a collection of the alerts service that crudRoutes
// serves (channels, subscriptions, teams): the service's methods on its
// items T, as the caller (alertActor; the service checks ownership); the
// body R that makes their input In; T's id and view V.
type alertCollection[R interface{ input() In }, In, T, V any] struct {
	list   func(*alerts.Service, context.Context, alerts.Actor) ([]T, error)
	create func(*alerts.Service, context.Context, alerts.Actor, In) (T, error)
	get    func(*alerts.Service, context.Context, alerts.Actor, int64) (T, error)
	update func(*alerts.Service, context.Context, alerts.Actor, int64, In) (T, error)
	remove func(*alerts.Service, context.Context, alerts.Actor, int64) error
	id     func(T) int64
	view   func(T) V
	// audit adds the audit details of an item created or updated (nil:
	// none beyond its id).
	audit func(c *gin.Context, v T, created bool)
}

// handlers serve the collection: a created item is 201 and its id is the
// audit target.
func (a alertCollection[R, In, T, V]) handlers(s *Server) crudHandlers {
	return crudHandlers{
		list: func(c *gin.Context) {
			items, err := a.list(s.deps.Alerts, c.Request.Context(), alertActor(c))
			respondViews(c, items, err, a.view)
		},
		create: func(c *gin.Context) {
			serveBound(c, s.bindJSON, http.StatusCreated, func(req R) (T, error) {
				v, err := a.create(s.deps.Alerts, c.Request.Context(), alertActor(c), req.input())
				a.written(c, v, err, true)
				return v, auditCreated(c, a.id(v), err)
			}, a.view)
		},
		get: func(c *gin.Context) {
			serveByID(c, func(id int64) (T, error) { return a.get(s.deps.Alerts, c.Request.Context(), alertActor(c), id) }, a.view)
		},
		update: func(c *gin.Context) {
			serveByIDWith(c, s.bindJSON, func(id int64, req R) (T, error) {
				v, err := a.update(s.deps.Alerts, c.Request.Context(), alertActor(c), id, req.input())
				a.written(c, v, err, false)
				return v, err
			}, a.view)
		},
		remove: func(c *gin.Context) {
			deleteByID(c, func(id int64) error { return a.remove(s.deps.Alerts, c.Request.Context(), alertActor(c), id) })
		},
	}
}

// written adds the audit details of v when it was written (err nil).
func (a alertCollection[R, In, T, V]) written(c *gin.Context, v T, err error, created bool) {
	if err == nil && a.audit != nil {
		a.audit(c, v, created)
	}
}

// ---- alerts ----

// alertsQuery is GET /alerts's query.
type alertsQuery struct {
	PageQuery
	Status       string `form:"status" validate:"omitempty,oneof=firing resolved"`
	Kind         string `form:"kind" validate:"max=300"`
	Severity     string `form:"severity" validate:"omitempty,oneof=info warning critical"`
	AdvertiserID int64  `form:"advertiser_id" validate:"gte=0"`
	EntityType   string `form:"entity_type" validate:"omitempty,oneof=advertiser campaign ad project promotion stream"`
	EntityID     int64  `form:"entity_id" validate:"gte=0"`
	Acknowledged string `form:"acknowledged" validate:"omitempty,oneof=true false"`
	TimeRangeQuery
}

type alertEntityJSON struct {
	Type   alerts.EntityType `json:"type"`
	ID     int64             `json:"id"`
	Name   string            `json:"name"`
	Stream string            `json:"stream,omitempty"`
}

type alertJSON struct {
	ID             int64           `json:"id"`
	Kind           alerts.Kind     `json:"kind"`
	KindLabel      string          `json:"kind_label"`
	Severity       alerts.Severity `json:"severity"`
	Status         string          `json:"status"`
	AdvertiserID   int64           `json:"advertiser_id"`
	AdvertiserName string          `json:"advertiser_name"`
	Entity         alertEntityJSON `json:"entity"`
	Title          string          `json:"title"`
	Summary        string          `json:"summary"`
	Details        map[string]any  `json:"details"`
	Source         string          `json:"source"`
	OneShot        bool            `json:"one_shot"`
	FirstSeenAt    time.Time       `json:"first_seen_at"`
	LastSeenAt     time.Time       `json:"last_seen_at"`
	ResolvedAt     *time.Time      `json:"resolved_at"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at"`
	AcknowledgedBy *int64          `json:"acknowledged_by"`
	AckNote        string          `json:"ack_note"`
	LastNotifiedAt *time.Time      `json:"last_notified_at"`
}

func newAlertJSON(a alerts.Alert) alertJSON {
	return alertJSON{ID: a.ID, Kind: a.Kind, KindLabel: a.Kind.Label(), Severity: a.Severity, Status: a.Status,
		AdvertiserID: a.AdvertiserID, AdvertiserName: a.AdvertiserName,
		Entity: alertEntityJSON{Type: a.Entity.Type, ID: a.Entity.ID, Name: a.Entity.Name, Stream: a.Entity.Sub},
		Title:  a.Title, Summary: a.Summary, Details: orEmptyMap(a.Details), Source: a.Source, OneShot: a.OneShot, FirstSeenAt: a.FirstSeenAt,
		LastSeenAt: a.LastSeenAt, ResolvedAt: a.ResolvedAt, AcknowledgedAt: a.AcknowledgedAt, AcknowledgedBy: optID(a.AcknowledgedBy),
		AckNote: a.AckNote, LastNotifiedAt: a.LastNotifiedAt}
}

type alertEventJSON struct {
	ID       int64            `json:"id"`
	At       time.Time        `json:"at"`
	Type     alerts.EventType `json:"type"`
	Severity alerts.Severity  `json:"severity"`
	Summary  string           `json:"summary"`
	Details  map[string]any   `json:"details"`
	ActorID  *int64           `json:"actor_id"`
	Announce bool             `json:"announce"`
}

type alertDeliveryJSON struct {
	ID          int64      `json:"id"`
	EventID     int64      `json:"event_id"`
	ChannelID   int64      `json:"channel_id"`
	ChannelName string     `json:"channel_name"`
	Status      string     `json:"status"`
	NotBefore   time.Time  `json:"not_before"`
	Attempts    int        `json:"attempts"`
	SentAt      *time.Time `json:"sent_at"`
	MessageID   string     `json:"message_id"`
	LastError   string     `json:"last_error"`
}

type alertDetailJSON struct {
	alertJSON
	Events     []alertEventJSON    `json:"events"`
	Deliveries []alertDeliveryJSON `json:"deliveries"`
}

func (s *Server) listAlerts(c *gin.Context) {
	serveList(s, c, func(q alertsQuery) ([]alerts.Alert, int64, error) {
		f := alerts.AlertFilter{Status: q.Status, Severity: alerts.Severity(q.Severity), AdvertiserID: q.AdvertiserID,
			EntityType: alerts.EntityType(q.EntityType), EntityID: q.EntityID, Limit: q.PageSize, Offset: q.Offset()}
		if q.Kind != "" {
			for _, k := range strings.Split(q.Kind, ",") {
				if !alerts.Kind(k).Valid() {
					return nil, 0, apperr.Validation(apperr.Field("kind", "unknown alert kind %q", k).Because("unknown_kind", "kind", k))
				}
				f.Kinds = append(f.Kinds, alerts.Kind(k))
			}
		}
		if q.Acknowledged != "" {
			v := q.Acknowledged == "true"
			f.Acknowledged = &v
		}
		var err error
		if f.From, f.To, err = q.timeRange(); err != nil {
			return nil, 0, err
		}
		return s.deps.Alerts.ListAlerts(c.Request.Context(), alertActor(c), f)
	}, newAlertJSON)
}

func (s *Server) getAlert(c *gin.Context) {
	serveByID(c, func(id int64) (alerts.AlertDetail, error) {
		return s.deps.Alerts.GetAlert(c.Request.Context(), alertActor(c), id)
	}, newAlertDetailJSON)
}

func newAlertDetailJSON(d alerts.AlertDetail) alertDetailJSON {
	out := alertDetailJSON{alertJSON: newAlertJSON(d.Alert), Events: []alertEventJSON{}, Deliveries: []alertDeliveryJSON{}}
	for _, e := range d.Events {
		out.Events = append(out.Events, alertEventJSON{ID: e.ID, At: e.At, Type: e.Type, Severity: e.Severity, Summary: e.Summary,
			Details: orEmptyMap(e.Details), ActorID: optID(e.ActorID), Announce: e.Announce})
	}
	for _, dl := range d.Deliveries {
		out.Deliveries = append(out.Deliveries, alertDeliveryJSON{ID: dl.ID, EventID: dl.EventID, ChannelID: dl.ChannelID,
			ChannelName: dl.ChannelName, Status: dl.Status, NotBefore: dl.NotBefore, Attempts: dl.Attempts, SentAt: dl.SentAt,
			MessageID: dl.MessageUID, LastError: dl.LastError})
	}
	return out
}

type ackRequest struct {
	Note string `json:"note" validate:"max=255"`
}

func (s *Server) ackAlert(c *gin.Context) {
	serveByIDWith(c, s.bindOptionalJSON, func(id int64, req ackRequest) (alerts.Alert, error) {
		return s.deps.Alerts.Acknowledge(c.Request.Context(), alertActor(c), id, req.Note)
	}, newAlertJSON)
}

type alertKindJSON struct {
	alerts.KindInfo
	// Effective are the thresholds for every advertiser now (defaults
	// with the override for every advertiser applied).
	Effective alerts.Params `json:"effective"`
	Enabled   bool          `json:"enabled"`
}

func (s *Server) alertKinds(c *gin.Context) {
	var out []alertKindJSON
	for _, k := range alerts.Kinds() {
		p, on, err := s.deps.Alerts.EffectiveParams(c.Request.Context(), k.Kind, 0)
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, alertKindJSON{KindInfo: k, Effective: p, Enabled: on})
	}
	respond(c, http.StatusOK, out)
}

// ---- channels ----

// alertChannelRequest creates or replaces a channel. On update, url,
// secret and password left empty keep the stored ones.
type alertChannelRequest struct {
	Name      string   `json:"name" validate:"required,max=64"`
	Type      string   `json:"type" validate:"required,oneof=feishu dingtalk wecom webhook email"`
	Enabled   *bool    `json:"enabled"`
	Shared    bool     `json:"shared"`
	URL       string   `json:"url" validate:"max=1024"`
	Secret    string   `json:"secret" validate:"max=256"`
	AtMobiles []string `json:"at_mobiles" validate:"max=20,dive,max=20"`
	AtAll     bool     `json:"at_all"`
	SMTPHost  string   `json:"smtp_host" validate:"max=255"`
	SMTPPort  int      `json:"smtp_port" validate:"gte=0,lte=65535"`
	TLS       string   `json:"tls" validate:"omitempty,oneof=starttls tls none"`
	Username  string   `json:"username" validate:"max=255"`
	Password  string   `json:"password" validate:"max=255"`
	From      string   `json:"from" validate:"max=254"`
	To        []string `json:"to" validate:"max=50,dive,max=254"`
}

func (r alertChannelRequest) input() alerts.ChannelInput {
	in := alerts.ChannelInput{Name: r.Name, Enabled: r.Enabled == nil || *r.Enabled, Shared: r.Shared, Config: channel.Config{
		Type: channel.Type(r.Type), URL: r.URL, Secret: r.Secret, AtMobiles: r.AtMobiles, AtAll: r.AtAll, SMTPHost: r.SMTPHost,
		SMTPPort: r.SMTPPort, TLS: r.TLS, Username: r.Username, Password: r.Password, From: r.From, To: r.To}}
	if in.Config.Type == channel.TypeEmail && in.Config.TLS == "" {
		in.Config.TLS = channel.TLSStartTLS
	}
	return in
}

type alertChannelJSON struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Type        channel.Type `json:"type"`
	OwnerUserID *int64       `json:"owner_user_id"`
	Shared      bool         `json:"shared"`
	// Target is where it sends, with the bot's token or key masked.
	Target      string     `json:"target"`
	Enabled     bool       `json:"enabled"`
	AtMobiles   []string   `json:"at_mobiles"`
	AtAll       bool       `json:"at_all"`
	SMTPHost    string     `json:"smtp_host,omitempty"`
	SMTPPort    int        `json:"smtp_port,omitempty"`
	TLS         string     `json:"tls,omitempty"`
	Username    string     `json:"username,omitempty"`
	From        string     `json:"from,omitempty"`
	To          []string   `json:"to"`
	SecretSet   bool       `json:"secret_set"`
	PasswordSet bool       `json:"password_set"`
	LastSentAt  *time.Time `json:"last_sent_at"`
	LastError   string     `json:"last_error"`
	LastErrorAt *time.Time `json:"last_error_at"`
	CreatedBy   *int64     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

func newAlertChannelJSON(ch alerts.Channel) alertChannelJSON {
	cfg := ch.Config
	return alertChannelJSON{ID: ch.ID, Name: ch.Name, Type: ch.Type, OwnerUserID: optID(ch.OwnerUserID), Shared: ch.OwnerUserID == 0,
		Target: ch.Target, Enabled: ch.Enabled, AtMobiles: orEmpty(cfg.AtMobiles), AtAll: cfg.AtAll, SMTPHost: cfg.SMTPHost, SMTPPort: cfg.SMTPPort,
		TLS: cfg.TLS, Username: cfg.Username, From: cfg.From, To: orEmpty(cfg.To), SecretSet: cfg.Secret != "", PasswordSet: cfg.Password != "",
		LastSentAt: ch.LastSentAt, LastError: ch.LastError, LastErrorAt: ch.LastErrorAt, CreatedBy: optID(ch.CreatedBy),
		CreatedAt: ch.CreatedAt, UpdatedAt: ch.UpdatedAt}
}

// alertChannelHandlers serve the caller's channels (everyone's for a
// manager); where a channel sends is audited, never its secrets.
func (s *Server) alertChannelHandlers() crudHandlers {
	return alertCollection[alertChannelRequest, alerts.ChannelInput, alerts.Channel, alertChannelJSON]{
		list: (*alerts.Service).ListChannels, create: (*alerts.Service).CreateChannel, get: (*alerts.Service).GetChannel,
		update: (*alerts.Service).UpdateChannel, remove: (*alerts.Service).DeleteChannel,
		id: func(ch alerts.Channel) int64 { return ch.ID }, view: newAlertChannelJSON,
		audit: func(c *gin.Context, ch alerts.Channel, created bool) {
			if created {
				auditDetail(c, "type", string(ch.Type))
			}
			auditDetail(c, "target", ch.Target)
		},
	}.handlers(s)
}

type alertTestJSON struct {
	OK        bool   `json:"ok"`
	Attempts  int    `json:"attempts"`
	Response  string `json:"response"`
	Error     string `json:"error"`
	Temporary bool   `json:"temporary"`
}

// testAlertChannel sends a test message now; the outcome (the receiver's
// answer or refusal) is the response, 200 either way.
func (s *Server) testAlertChannel(c *gin.Context) {
	serveByID(c, func(id int64) (alerts.TestResult, error) {
		res, err := s.deps.Alerts.TestChannel(c.Request.Context(), alertActor(c), id)
		if err == nil {
			auditDetail(c, "delivered", res.OK)
		}
		return res, err
	}, newAlertTestJSON)
}

func newAlertTestJSON(res alerts.TestResult) alertTestJSON {
	return alertTestJSON{OK: res.OK, Attempts: res.Attempts, Response: res.Response, Error: res.Error, Temporary: res.Temporary}
}

// ---- subscriptions ----

type quietHoursJSON struct {
	Start string `json:"start" validate:"required,len=5"`
	End   string `json:"end" validate:"required,len=5"`
}

type alertSubscriptionRequest struct {
	Name           string          `json:"name" validate:"max=64"`
	UserID         int64           `json:"user_id" validate:"gte=0"`
	TeamID         int64           `json:"team_id" validate:"gte=0"`
	Kinds          []string        `json:"kinds" validate:"max=20"`
	AdvertiserIDs  []int64         `json:"advertiser_ids" validate:"max=1000,dive,gt=0"`
	ClientIDs      []int64         `json:"client_ids" validate:"max=100,dive,gt=0"`
	MinSeverity    string          `json:"min_severity" validate:"omitempty,oneof=info warning critical"`
	QuietHours     *quietHoursJSON `json:"quiet_hours"`
	ChannelIDs     []int64         `json:"channel_ids" validate:"required,min=1,max=20,dive,gt=0"`
	Enabled        *bool           `json:"enabled"`
	Alerts         *bool           `json:"alerts"`
	DigestAt       *string         `json:"digest_at" validate:"omitempty,len=5"`
	DigestWeekday  *int            `json:"digest_weekday"`
	DigestMonthly  bool            `json:"digest_monthly"`
	DigestMonthDay *int            `json:"digest_month_day"`
}

func (r alertSubscriptionRequest) input() alerts.SubscriptionInput {
	in := alerts.SubscriptionInput{Name: r.Name, UserID: r.UserID, TeamID: r.TeamID, AdvertiserIDs: r.AdvertiserIDs, ClientIDs: r.ClientIDs,
		MinSeverity: alerts.Severity(r.MinSeverity), ChannelIDs: r.ChannelIDs, Enabled: r.Enabled == nil || *r.Enabled,
		DigestOnly: r.Alerts != nil && !*r.Alerts, DigestWeekday: r.DigestWeekday, DigestMonthly: r.DigestMonthly, DigestMonthDay: r.DigestMonthDay}
	if r.DigestAt != nil {
		in.DigestAt = *r.DigestAt
	}
	for _, k := range r.Kinds {
		in.Kinds = append(in.Kinds, alerts.Kind(k))
	}
	if r.QuietHours != nil {
		in.QuietStart, in.QuietEnd = r.QuietHours.Start, r.QuietHours.End
	}
	return in
}

type alertSubscriptionJSON struct {
	ID             int64           `json:"id"`
	Name           string          `json:"name"`
	SubscriberType string          `json:"subscriber_type"`
	UserID         *int64          `json:"user_id"`
	TeamID         *int64          `json:"team_id"`
	SubscriberName string          `json:"subscriber_name"`
	Kinds          []alerts.Kind   `json:"kinds"`
	AdvertiserIDs  []int64         `json:"advertiser_ids"`
	ClientIDs      []int64         `json:"client_ids"`
	MinSeverity    alerts.Severity `json:"min_severity"`
	QuietHours     *quietHoursJSON `json:"quiet_hours"`
	ChannelIDs     []int64         `json:"channel_ids"`
	Enabled        bool            `json:"enabled"`
	Alerts         bool            `json:"alerts"`
	DigestAt       *string         `json:"digest_at"`
	DigestWeekday  *int            `json:"digest_weekday"`
	DigestMonthly  bool            `json:"digest_monthly"`
	DigestMonthDay *int            `json:"digest_month_day"`
	LastDigest     *lastDigestJSON `json:"last_digest"`
	CreatedBy      *int64          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

func clockText(m int) string { return time.Date(0, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04") }

func newAlertSubscriptionJSON(sub alerts.Subscription) alertSubscriptionJSON {
	out := alertSubscriptionJSON{ID: sub.ID, Name: sub.Name, SubscriberType: sub.SubscriberType, UserID: optID(sub.UserID),
		TeamID: optID(sub.TeamID), SubscriberName: sub.SubscriberName, Kinds: orEmpty(sub.Kinds), AdvertiserIDs: orEmpty(sub.AdvertiserIDs), ClientIDs: orEmpty(sub.ClientIDs), MinSeverity: sub.MinSeverity,
		ChannelIDs: orEmpty(sub.ChannelIDs), Enabled: sub.Enabled, Alerts: !sub.DigestOnly, DigestWeekday: sub.DigestWeekday, DigestMonthly: sub.DigestMonthDay != nil, DigestMonthDay: sub.DigestMonthDay, CreatedBy: optID(sub.CreatedBy),
		CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt}
	if sub.QuietStart != nil && sub.QuietEnd != nil {
		out.QuietHours = &quietHoursJSON{Start: clockText(*sub.QuietStart), End: clockText(*sub.QuietEnd)}
	}
	if sub.DigestMinute != nil {
		at := clockText(*sub.DigestMinute)
		out.DigestAt = &at
	}
	if d := sub.LastDigest; d != nil {
		out.LastDigest = &lastDigestJSON{Day: d.Day, Status: d.Status, SentAt: d.SentAt, Error: d.Error}
	}
	return out
}

type lastDigestJSON struct {
	Day    string     `json:"day"`
	Status string     `json:"status"`
	SentAt *time.Time `json:"sent_at"`
	Error  string     `json:"error"`
}

// ---- digests ----

type digestDayRequest struct {
	Day string `json:"day" form:"day" validate:"omitempty,len=10"`
}

// alertDigest answers a subscription's digest of a day as it would be sent.
func (s *Server) alertDigest(c *gin.Context) {
	serveByIDWith(c, s.bindQuery, func(id int64, req digestDayRequest) (alerts.Digest, error) {
		return s.deps.Alerts.Digest(c.Request.Context(), alertActor(c), id, req.Day)
	}, alerts.NewDigestView)
}

type digestSentJSON struct {
	Day         string             `json:"day"`
	Advertisers int                `json:"advertisers"`
	Results     []digestResultJSON `json:"results"`
}

type digestResultJSON struct {
	ChannelID   int64  `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	alertTestJSON
}

type digestSent struct {
	digest  alerts.Digest
	results []alerts.DigestSendResult
}

// sendAlertDigest sends a subscription's digest of a day now; each
// channel's outcome is the response, 200 whatever they answered.
func (s *Server) sendAlertDigest(c *gin.Context) {
	serveByIDWith(c, s.bindOptionalJSON, func(id int64, req digestDayRequest) (digestSent, error) {
		d, res, err := s.deps.Alerts.SendDigest(c.Request.Context(), alertActor(c), id, req.Day)
		if err == nil {
			auditDetail(c, "day", d.Day)
			auditDetail(c, "delivered", !slices.ContainsFunc(res, func(r alerts.DigestSendResult) bool { return !r.OK }))
		}
		return digestSent{d, res}, err
	}, func(v digestSent) digestSentJSON {
		out := digestSentJSON{Day: v.digest.Day, Advertisers: v.digest.Advertisers, Results: []digestResultJSON{}}
		for _, r := range v.results {
			out.Results = append(out.Results, digestResultJSON{ChannelID: r.ChannelID, ChannelName: r.ChannelName,
				alertTestJSON: newAlertTestJSON(r.TestResult)})
		}
		return out
	})
}

// alertSubscriptionHandlers serve one's own subscriptions (everyone's for a
// manager).
func (s *Server) alertSubscriptionHandlers() crudHandlers {
	return alertCollection[alertSubscriptionRequest, alerts.SubscriptionInput, alerts.Subscription, alertSubscriptionJSON]{
		list: (*alerts.Service).ListSubscriptions, create: (*alerts.Service).CreateSubscription, get: (*alerts.Service).GetSubscription,
		update: (*alerts.Service).UpdateSubscription, remove: (*alerts.Service).DeleteSubscription,
		id: func(sub alerts.Subscription) int64 { return sub.ID }, view: newAlertSubscriptionJSON,
	}.handlers(s)
}

// ---- teams ----

type alertTeamRequest struct {
	Name        string  `json:"name" validate:"required,max=64"`
	Description string  `json:"description" validate:"max=255"`
	MemberIDs   []int64 `json:"member_ids" validate:"max=500,dive,gt=0"`
}

func (r alertTeamRequest) input() alerts.TeamInput {
	return alerts.TeamInput{Name: r.Name, Description: r.Description, MemberIDs: r.MemberIDs}
}

type alertTeamJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	MemberIDs   []int64   `json:"member_ids"`
	CreatedBy   *int64    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func newAlertTeamJSON(t alerts.Team) alertTeamJSON {
	return alertTeamJSON{ID: t.ID, Name: t.Name, Description: t.Description, MemberIDs: orEmpty(t.MemberIDs), CreatedBy: optID(t.CreatedBy),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// alertTeamHandlers serve everyone's teams: listing and reading them do
// not depend on who asks.
func (s *Server) alertTeamHandlers() crudHandlers {
	return alertCollection[alertTeamRequest, alerts.TeamInput, alerts.Team, alertTeamJSON]{
		list: func(a *alerts.Service, ctx context.Context, _ alerts.Actor) ([]alerts.Team, error) {
			return a.ListTeams(ctx)
		},
		create: (*alerts.Service).CreateTeam,
		get: func(a *alerts.Service, ctx context.Context, _ alerts.Actor, id int64) (alerts.Team, error) {
			return a.GetTeam(ctx, id)
		},
		update: (*alerts.Service).UpdateTeam, remove: (*alerts.Service).DeleteTeam,
		id: func(t alerts.Team) int64 { return t.ID }, view: newAlertTeamJSON,
	}.handlers(s)
}

// ---- thresholds ----

type alertThresholdRequest struct {
	Kind         string             `json:"kind" validate:"required,max=32"`
	AdvertiserID int64              `json:"advertiser_id" validate:"gte=0"`
	Enabled      *bool              `json:"enabled"`
	Params       map[string]float64 `json:"params" validate:"max=20"`
}

type alertThresholdJSON struct {
	ID           int64         `json:"id"`
	Kind         alerts.Kind   `json:"kind"`
	AdvertiserID int64         `json:"advertiser_id"`
	Enabled      bool          `json:"enabled"`
	Params       alerts.Params `json:"params"`
	UpdatedBy    *int64        `json:"updated_by"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func newAlertThresholdJSON(t alerts.Threshold) alertThresholdJSON {
	return alertThresholdJSON{ID: t.ID, Kind: t.Kind, AdvertiserID: t.AdvertiserID, Enabled: t.Enabled, Params: orEmptyMap(t.Params),
		UpdatedBy: optID(t.UpdatedBy), UpdatedAt: t.UpdatedAt}
}

func (s *Server) listAlertThresholds(c *gin.Context) {
	ts, err := s.deps.Alerts.ListThresholds(c.Request.Context())
	respondViews(c, ts, err, newAlertThresholdJSON)
}

func (s *Server) putAlertThreshold(c *gin.Context) {
	serveBound(c, s.bindJSON, http.StatusOK, func(req alertThresholdRequest) (alerts.Threshold, error) {
		t, err := s.deps.Alerts.PutThreshold(c.Request.Context(), alertActor(c), alerts.ThresholdInput{Kind: alerts.Kind(req.Kind),
			AdvertiserID: req.AdvertiserID, Enabled: req.Enabled == nil || *req.Enabled, Params: req.Params})
		if err == nil {
			auditDetail(c, "kind", string(t.Kind))
			auditDetail(c, "advertiser_id", t.AdvertiserID)
		}
		return t, auditCreated(c, t.ID, err)
	}, newAlertThresholdJSON)
}

func (s *Server) deleteAlertThreshold(c *gin.Context) {
	deleteByID(c, func(id int64) error { return s.deps.Alerts.DeleteThreshold(c.Request.Context(), alertActor(c), id) })
}
