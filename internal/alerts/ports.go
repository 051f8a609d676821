package alerts

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/domain"
)

// The service's ports: what it needs of storage and of the rest of the
// system. internal/mysql implements the stores and Facts; the wiring
// (internal/app) adapts the OceanEngine client to Reviews. Methods return
// apperr errors: KindNotFound for a missing row, KindConflict for a
// duplicate.

// ChannelStore keeps channels.
type ChannelStore interface {
	// CreateChannel inserts c and returns it with its ID; seal gives the
	// settings and the secrets sealed for the new ID (both written in the
	// same transaction).
	CreateChannel(ctx context.Context, c SealedChannel, seal func(id int64) (settings, secrets []byte, keyID string, err error)) (SealedChannel, error)
	// UpdateChannel replaces name, settings, secrets, target and enabled of c.ID.
	UpdateChannel(ctx context.Context, c SealedChannel) (SealedChannel, error)
	// DeleteChannel deletes a channel; its subscriptions stop using it.
	DeleteChannel(ctx context.Context, id int64) error
	// Channel returns one channel (KindNotFound).
	Channel(ctx context.Context, id int64) (SealedChannel, error)
	// Channels lists channels by filter, by id.
	Channels(ctx context.Context, f ChannelFilter) ([]SealedChannel, error)
	// ChannelOutcome records the last send's result (err "" for success).
	ChannelOutcome(ctx context.Context, id int64, at time.Time, errMsg string) error
}

// SubscriptionStore keeps subscriptions, teams and thresholds.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s Subscription) (Subscription, error)
	UpdateSubscription(ctx context.Context, s Subscription) (Subscription, error)
	DeleteSubscription(ctx context.Context, id int64) error
	Subscription(ctx context.Context, id int64) (Subscription, error)
	Subscriptions(ctx context.Context, f SubscriptionFilter) ([]Subscription, error)
	// AdvertiserClients maps each advertiser that belongs to a client to it.
	AdvertiserClients(ctx context.Context) (map[int64]int64, error)
	// KnownClients returns those of ids that are clients.
	KnownClients(ctx context.Context, ids []int64) ([]int64, error)

	// CreateTeam fails with KindConflict when the name is taken.
	CreateTeam(ctx context.Context, t Team) (Team, error)
	UpdateTeam(ctx context.Context, t Team) (Team, error)
	DeleteTeam(ctx context.Context, id int64) error
	Team(ctx context.Context, id int64) (Team, error)
	Teams(ctx context.Context) ([]Team, error)

	// PutThreshold inserts or replaces the override of (Kind, AdvertiserID).
	PutThreshold(ctx context.Context, t Threshold) (Threshold, error)
	DeleteThreshold(ctx context.Context, id int64) error
	Thresholds(ctx context.Context) ([]Threshold, error)
}

// Subscriber is what routing needs to know of a user: whether they are
// active, and their data scope.
type Subscriber struct {
	UserID int64
	Active bool
	// All: every advertiser (admins).
	All         bool
	Advertisers map[int64]bool
}

// Sees reports whether the subscriber's scope holds advertiser id.
func (s Subscriber) Sees(id int64) bool { return s.Active && (s.All || s.Advertisers[id]) }

// Subscribers reads users' states and scopes.
type Subscribers interface {
	// Subscribers returns the state and scope of each user id (absent ids:
	// deleted users).
	Subscribers(ctx context.Context, userIDs []int64) (map[int64]Subscriber, error)
	// UserExists reports whether a user exists.
	UserExists(ctx context.Context, id int64) (bool, error)
}

// Change is one state change of an alert, stored atomically with its event
// and the deliveries of the event.
type Change struct {
	// Alert is the alert as it is after the change (ID 0: a new alert).
	Alert Alert
	// Event is what happened (nil: only the alert's figures changed).
	Event *AlertEvent
	// Routes are the channels an announced event goes to.
	Routes []Route
}

// AlertStore keeps alerts and their history.
type AlertStore interface {
	// FiringAlerts returns every firing alert.
	FiringAlerts(ctx context.Context) ([]Alert, error)
	// ApplyChange stores a change in one transaction and returns the alert
	// (with its ID). A second firing alert of the same key is KindConflict.
	ApplyChange(ctx context.Context, c Change) (Alert, error)
	// TouchAlerts sets last_seen_at of firing alerts.
	TouchAlerts(ctx context.Context, ids []int64, at time.Time) error
	// Alert returns one alert within scope (KindNotFound otherwise).
	Alert(ctx context.Context, f AlertFilter, id int64) (Alert, error)
	// Alerts lists alerts by filter, newest first, with the total.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, int64, error)
	// Acknowledge records an acknowledgement of a firing, unacknowledged
	// alert and its event (KindConflict otherwise).
	Acknowledge(ctx context.Context, id, userID int64, note string, at time.Time) (Alert, error)
	// History returns an alert's events and deliveries, oldest first.
	History(ctx context.Context, alertID int64) ([]AlertEvent, []DeliveryInfo, error)
	// AnnouncedChannels returns, per alert, the channels an event of it was
	// sent to or is pending for (where a resolve message is owed).
	AnnouncedChannels(ctx context.Context, alertIDs []int64) (map[int64][]int64, error)
	// FiringCounts counts firing alerts by kind and severity.
	FiringCounts(ctx context.Context) (map[Kind]map[Severity]int, error)
}

// PendingDelivery is a claimed delivery with what its message shows.
type PendingDelivery struct {
	ID        int64
	EventID   int64
	EventType EventType
	EventAt   time.Time
	Severity  Severity
	Summary   string
	Attempts  int
	Alert     Alert
}

// MessageOutcome is how the send of one grouped message ended.
type MessageOutcome struct {
	UID       string
	ChannelID int64
	// Sent, Skipped and Retry are delivery ids: carried by the message,
	// left out (resolved before being announced, channel gone), or to try
	// again at RetryAt (Failed: given up).
	Sent, Skipped, Retry, Failed []int64
	RetryAt                      time.Time
	Attempts                     int
	Response                     string
	Error                        string
	At                           time.Time
}

// DeliveryStore keeps the outbox of deliveries and the messages sent.
type DeliveryStore interface {
	// DueChannels lists channels with deliveries due at now (pending with
	// not_before and next_attempt_at passed, or sending with the lease
	// expired: their sender died).
	DueChannels(ctx context.Context, now time.Time) ([]int64, error)
	// ClaimDeliveries claims up to limit due deliveries of a channel for
	// the message uid until leaseUntil, and returns them.
	ClaimDeliveries(ctx context.Context, channelID int64, uid string, now, leaseUntil time.Time, limit int) ([]PendingDelivery, error)
	// FinishMessage records a message and settles its deliveries.
	FinishMessage(ctx context.Context, o MessageOutcome) error
}

// CycleStore records evaluation periods.
type CycleStore interface {
	// LockCycles serialises cycles across processes (a MySQL named lock
	// held by a connection, released when it ends); ok is false when
	// another process holds it after waiting up to wait.
	LockCycles(ctx context.Context, wait time.Duration) (release func(), ok bool, err error)
	// BeginCycle records the start of a period's cycle; started is false
	// when the period was taken already.
	BeginCycle(ctx context.Context, slot time.Time, worker string, at time.Time) (started bool, err error)
	// FinishCycle records a cycle's result and statistics.
	FinishCycle(ctx context.Context, slot time.Time, result string, stats CycleStats, errMsg string, at time.Time) error
	// PruneCycles deletes cycle records older than before.
	PruneCycles(ctx context.Context, before time.Time) error
}

// DigestStore records the scheduled digests' sends.
type DigestStore interface {
	// DigestSends lists the sends of the digests of a Beijing day.
	DigestSends(ctx context.Context, day string) ([]DigestSend, error)
	// PutDigestSend inserts or replaces the send of (subscription, day,
	// channel); a subscription or channel deleted meanwhile is not an error
	// (nothing is written).
	PutDigestSend(ctx context.Context, d DigestSend) error
}

// Store is everything the service keeps.
type Store interface {
	ChannelStore
	SubscriptionStore
	Subscribers
	AlertStore
	DeliveryStore
	DigestStore
	CycleStore
}

// ---- what the evaluators read ----

// Account is a bound leaf advertiser with its balance and authorisation.
type Account struct {
	ID   int64
	Name string
	// Balance is the valid balance (the balance when not reported); not
	// Valid before the first fund read.
	Balance      decimal.NullDecimal
	FundSyncedAt *time.Time
	SyncEnabled  bool
	// AuthorizationID and AuthStatus describe the grant covering it
	// (active, needs_reauth, revoked).
	AuthorizationID  int64
	AuthStatus       string
	AuthReason       string
	AuthError        string
	RefreshExpiresAt *time.Time
	// LeftGrantAt is when the grant was found no longer covering the
	// account (nil while it does): it is not synced.
	LeftGrantAt *time.Time
}

// StreamState is the sync state of one advertiser's stream.
type StreamState struct {
	AdvertiserID  int64
	Stream        string
	LastSuccessAt *time.Time
	LastAttemptAt *time.Time
	Failures      int
	LastError     string
	// Platform is what OceanEngine answered the last run, when it failed on
	// such an answer (nil otherwise).
	Platform *domain.PlatformError
}

// DayCost is an advertiser's spend on a Beijing date.
type DayCost struct {
	AdvertiserID int64
	Date         string
	Cost         decimal.Decimal
	// Synced says the day's report was read completely: its cost is the
	// day's whole spend (zero without a row), where a day not synced is
	// missing, not a day of no spend.
	Synced bool
}

// Figures are base metrics summed over a period.
type Figures struct {
	Cost                 decimal.Decimal
	Show, Click, Convert int64
}

// Window is an ad's or promotion's figures today and over its baseline days.
type Window struct {
	AdvertiserID int64
	EntityID     int64
	EntityName   string
	Status       string
	Today        Figures
	Baseline     Figures
	BaselineDays int
}

// BudgetUse is an entity's daily budget and its spend today.
type BudgetUse struct {
	AdvertiserID int64
	EntityID     int64
	EntityName   string
	Budget       decimal.Decimal
	Cost         decimal.Decimal
}

// HourSlot is a Beijing date and hour.
type HourSlot struct {
	Date string
	Hour int
}

// HourCost is an entity's spend in one Beijing hour.
type HourCost struct {
	AdvertiserID int64
	EntityID     int64
	Slot         HourSlot
	Cost         decimal.Decimal
}

// EntityState is an entity's name and statuses in the mirror.
type EntityState struct {
	AdvertiserID int64
	ID           int64
	Name         string
	Status       string
	OptStatus    string
}

// CumulativeCost is an advertiser's spend on a date in the hours before
// Hours (the number of hours reported today for the advertiser).
type CumulativeCost struct {
	AdvertiserID int64
	Date         string
	Hours        int
	Cost         decimal.Decimal
}

// Rejected is an ad or promotion rejected in review, as mirrored.
type Rejected struct {
	AdvertiserID int64
	Type         EntityType
	ID           int64
	Name         string
	Status       string
}

// Facts reads what the evaluators judge: balances, authorisations, sync
// state, report figures and statuses, of bound leaf advertisers only.
// Dates are Beijing dates "2006-01-02".
type Facts interface {
	Accounts(ctx context.Context) ([]Account, error)
	StreamStates(ctx context.Context) ([]StreamState, error)
	// DailyCosts are advertiser-level spends on the dates from..to: every
	// day with a report row or synced.
	DailyCosts(ctx context.Context, from, to string) ([]DayCost, error)
	// Windows are the ads' (EntityAd) or promotions' (EntityPromotion)
	// figures on today and summed over from..to.
	Windows(ctx context.Context, level EntityType, today, from, to string) ([]Window, error)
	// BudgetUses are entities of the level with a daily budget, and their
	// spend on date; of EntityAdvertiser, the accounts with a daily budget
	// of their own (EntityID the advertiser's).
	BudgetUses(ctx context.Context, level EntityType, date string) ([]BudgetUse, error)
	// HourlyCosts are spends of the level (advertiser or ad) in the slots;
	// hours without a row spent nothing.
	HourlyCosts(ctx context.Context, level EntityType, slots []HourSlot) ([]HourCost, error)
	// EntityStates are the mirror's name and statuses of entities of the level.
	EntityStates(ctx context.Context, level EntityType, ids []int64) (map[int64]EntityState, error)
	// CumulativeCosts are advertisers' spends on today and the dates
	// from..today, each over the hours reported today.
	CumulativeCosts(ctx context.Context, today, from string) ([]CumulativeCost, error)
	// Rejected lists ads and promotions whose status is AUDIT_DENY.
	Rejected(ctx context.Context) ([]Rejected, error)
}

// Reviews reads the platform's review (审核) reasons of rejected entities.
type Reviews interface {
	// RejectReasons returns the reasons per entity id of the level (ad or
	// promotion), at most 10 ids per call.
	RejectReasons(ctx context.Context, advertiserID int64, level EntityType, ids []int64) (map[int64][]string, error)
}

// Sealer encrypts channel secrets at rest (the OceanEngine token key ring).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(ciphertext, aad []byte) ([]byte, error)
	ActiveKeyID() string
}
