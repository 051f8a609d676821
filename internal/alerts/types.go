package alerts

import (
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/auth"
)

// Alert statuses.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// Entity is what an alert is about: an advertiser, one of its campaigns,
// ads, projects or promotions, or one of its sync streams (Sub).
type Entity struct {
	Type EntityType
	ID   int64
	Name string
	// Sub distinguishes alerts of one kind on one entity (the stream of a
	// sync alert); empty otherwise.
	Sub string
}

// Key is the deduplication key of an alert of kind k on e: at most one
// alert per key is firing at a time.
func Key(k Kind, e Entity) string {
	key := string(k) + ":" + string(e.Type) + ":" + strconv.FormatInt(e.ID, 10)
	if e.Sub != "" {
		key += ":" + e.Sub
	}
	return key
}

// Alert is one incident of a condition on one entity, from firing to
// resolved.
type Alert struct {
	ID int64
	// Finding is the condition; its Severity is the alert's current one.
	Finding
	Status string
	Key    string
	// Source is "evaluator" or who notified (e.g. "rule:42").
	Source string
	// OneShot alerts (rule actions) are announced once; nothing resolves them.
	OneShot          bool
	FirstSeenAt      time.Time
	LastSeenAt       time.Time
	ResolvedAt       *time.Time
	AcknowledgedAt   *time.Time
	AcknowledgedBy   int64
	AckNote          string
	LastNotifiedAt   *time.Time
	NotifiedSeverity Severity
}

// EventType is what happened to an alert.
type EventType string

// The event types. Fired, escalated, reminded and resolved events are
// announced (sent to the channels routed to); the others are history.
const (
	EventFired        EventType = "fired"
	EventEscalated    EventType = "escalated"
	EventDeescalated  EventType = "deescalated"
	EventReminded     EventType = "reminded"
	EventResolved     EventType = "resolved"
	EventAcknowledged EventType = "acknowledged"
)

// AlertEvent is one entry of an alert's history.
type AlertEvent struct {
	ID       int64
	AlertID  int64
	At       time.Time
	Type     EventType
	Severity Severity
	Summary  string
	Details  map[string]any
	// ActorID is the user of an acknowledgement.
	ActorID  int64
	Announce bool
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	DeliverySkipped = "skipped"
)

// Route is one channel an announced event goes to, and when at the
// earliest (the end of quiet hours; the event's time otherwise).
type Route struct {
	ChannelID int64
	NotBefore time.Time
}

// DeliveryInfo is one delivery of an alert's event, for its history.
type DeliveryInfo struct {
	ID          int64
	EventID     int64
	ChannelID   int64
	ChannelName string
	Status      string
	NotBefore   time.Time
	Attempts    int
	SentAt      *time.Time
	MessageUID  string
	LastError   string
}

// Finding is a condition an evaluator found true now.
type Finding struct {
	Kind           Kind
	Severity       Severity
	AdvertiserID   int64
	AdvertiserName string
	Entity         Entity
	Title          string
	Summary        string
	// Details are the figures behind the alert (balance, runway, CPA and
	// baseline, reasons...), as JSON-friendly values.
	Details map[string]any
}

// Key is the finding's deduplication key.
func (f Finding) Key() string { return Key(f.Kind, f.Entity) }

// Event is a notification from another part of the system, e.g. an
// automated rule: "rule X paused ad Y" (see Service.Notify).
type Event struct {
	// Kind is KindRuleAction when empty.
	Kind Kind
	// Severity is info when empty.
	Severity     Severity
	AdvertiserID int64
	// Entity is the advertiser itself when its Type is empty.
	Entity  Entity
	Title   string
	Summary string
	Details map[string]any
	// Source names the sender, e.g. "rule:42" (required).
	Source string
}

// Actor is who calls the service: a signed-in user with their data scope.
type Actor struct {
	UserID   int64
	Username string
	Scope    auth.Scope
	// Manage is the alert:manage permission (every channel, subscription,
	// team and the thresholds).
	Manage bool
}

// ActorOf returns the actor of a principal.
func ActorOf(p auth.Principal) Actor {
	return Actor{UserID: p.UserID, Username: p.Username, Scope: p.Scope(), Manage: p.Can(auth.PermAlertManage)}
}

// AlertFilter selects alerts; zero fields do not filter.
type AlertFilter struct {
	Status       string
	Kinds        []Kind
	Severity     Severity
	AdvertiserID int64
	EntityType   EntityType
	EntityID     int64
	// Acknowledged: nil either way.
	Acknowledged *bool
	From, To     time.Time
	Scope        auth.Scope
	Limit        int
	Offset       int
}

// ChannelRecord is what a channel is besides its configuration: the same
// in a Channel and in a SealedChannel.
type ChannelRecord struct {
	ID          int64
	Name        string
	Type        channel.Type
	OwnerUserID int64
	// Target is where it sends, without secrets (channel.Config.Target).
	Target      string
	Enabled     bool
	LastSentAt  *time.Time
	LastError   string
	LastErrorAt *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Channel is a destination, as stored: Config holds secrets and never
// leaves the service (the API shows Target).
type Channel struct {
	ChannelRecord
	Config channel.Config
}

// SealedChannel is a channel as the store keeps it: settings in clear,
// secrets sealed.
type SealedChannel struct {
	ChannelRecord
	// Settings is the JSON of the config without its secrets.
	Settings []byte
	// Secrets is the sealed JSON of the secrets; KeyID names the key.
	Secrets []byte
	KeyID   string
}

// ChannelFilter selects channels: the owner's (OwnerUserID) or, with All,
// every channel.
type ChannelFilter struct {
	OwnerUserID int64
	All         bool
}

// Subscriber types.
const (
	SubscriberUser = "user"
	SubscriberTeam = "team"
)

// Subscription routes alerts of some kinds about some advertisers to
// channels, for a user or a team.
type Subscription struct {
	ID             int64
	Name           string
	SubscriberType string
	UserID         int64
	TeamID         int64
	// Kinds empty: every kind.
	Kinds []Kind
	// AdvertiserIDs and ClientIDs name the advertisers it hears about: these
	// and the accounts of these clients (as they belong when an alert or a
	// digest is routed). Both empty: every advertiser in the subscriber's
	// scope.
	AdvertiserIDs []int64
	ClientIDs     []int64
	MinSeverity   Severity
	// Quiet hours, minutes after Beijing midnight; nil: none. Alerts that
	// are not critical are held until they end.
	QuietStart, QuietEnd *int
	ChannelIDs           []int64
	Enabled              bool
	// DigestOnly: the subscription sends its digest and hears no alerts.
	DigestOnly bool
	// DigestMinute is when the digest goes out, minutes after Beijing
	// midnight; nil: no digest.
	DigestMinute *int
	// DigestWeekday makes the digest weekly: it goes out on this Beijing
	// weekday (1 Monday … 7 Sunday) with the seven days before; nil: daily.
	DigestWeekday *int
	// DigestMonthDay makes the digest monthly: it goes out on this Beijing
	// day of each month (1 … 28, a day every month has) with the calendar
	// month before; nil: daily or weekly.
	DigestMonthDay *int
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// LastDigest is read, never written: how the latest scheduled digest
	// went (nil before the first).
	LastDigest *DigestStatus
	// SubscriberName is read, never written: the user's display name (its
	// username when it has none) or the team's name; empty when the
	// subscriber is gone.
	SubscriberName string
}

// SubscriptionFilter selects subscriptions: a user's own, or with All every one.
type SubscriptionFilter struct {
	UserID int64
	All    bool
}

// Team is a group of users with shared subscriptions.
type Team struct {
	ID          int64
	Name        string
	Description string
	MemberIDs   []int64
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Threshold overrides a kind's thresholds for every advertiser
// (AdvertiserID 0) or one advertiser.
type Threshold struct {
	ID           int64
	Kind         Kind
	AdvertiserID int64
	Enabled      bool
	Params       Params
	UpdatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
