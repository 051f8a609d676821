// Package alerts tells the right people about the business events that
// cost money — a balance running out, an authorisation lapsing, a sync
// falling behind, spend running too fast, CPA or CTR breaking away from an
// entity's own baseline, delivery stopping, an ad rejected in review, an
// automated rule acting — in the chat tools they work in.
//
// The worker runs a cycle once per period across every replica (RunCycle,
// serialised by a MySQL lock and recorded per period): the evaluators read
// the mirror (Facts) and report findings; each finding fires a new alert
// or updates the firing one of its key (kind + entity); a firing alert no
// evaluator reports any more resolves. Firing, escalating, reminding and
// resolving are events; announced events are routed by subscriptions (per
// user or team, by kind, advertiser and minimum severity, within the
// subscriber's data scope, held through quiet hours unless critical) to
// channels, and everything due for a channel is sent as one message per
// cycle. Other parts of the system (the rules engine) announce their own
// events with Notify.
//
// Storage is behind the ports in ports.go (internal/mysql implements them);
// channels (Feishu, DingTalk, WeCom, webhook, email) are in the channel
// subpackage. See docs/alerts.md.
package alerts

import (
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/alerts/channel"
	"github.com/oceanops/adplatform/internal/report"
)

// JobKind is the job kind of the periodic cycle; its payload is
// {"slot": RFC 3339 time}, the start of the period evaluated.
const JobKind = "alerts:cycle"

// CyclePayload is the payload of JobKind.
type CyclePayload struct {
	Slot time.Time `json:"slot"`
}

// Deps are the service's dependencies.
type Deps struct {
	Store Store
	Facts Facts
	// Reviews reads rejection reasons from the platform; nil: rejections
	// are alerted without reasons.
	Reviews Reviews
	// Keys seals channel secrets; nil: channels cannot be created or used
	// (the OceanEngine token key ring, crypto.*).
	Keys Sealer
	// Reports reads the figures of daily digests; nil: subscriptions
	// cannot send digests (503).
	Reports report.Reader
	// Sender sends messages; nil: one built from Options.
	Sender  *channel.Sender
	Logger  *zap.Logger
	Metrics *Metrics
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultInterval        = 5 * time.Minute
	DefaultDeliveryLease   = 10 * time.Minute
	DefaultMaxAttempts     = 8
	DefaultLinesPerSection = 20
	DefaultCycleRetention  = 30 * 24 * time.Hour
)

// Options tune the service; zero values take the defaults.
type Options struct {
	// ConsoleURL is the console's base URL for links in messages ("": none).
	ConsoleURL string
	// Worker names this process in cycle records.
	Worker string
	// AllowPrivateTargets lets channels reach private and loopback
	// addresses (development, tests); used when Sender is nil.
	AllowPrivateTargets bool
	// DeliveryLease is how long a claimed delivery waits before another
	// cycle takes it over (its sender died).
	DeliveryLease time.Duration
	// MaxAttempts bounds the cycles that try a delivery before it fails.
	MaxAttempts int
	// LinesPerSection bounds the lines of a chat message's section; the
	// rest are counted ("… N more"). Webhooks carry every event.
	LinesPerSection int
	// LockWait is how long a cycle waits for the one before it (10s).
	LockWait time.Duration
	// CycleRetention is how long cycle records are kept.
	CycleRetention time.Duration
}

// Service evaluates, routes and delivers alerts, and manages channels,
// subscriptions, teams and thresholds. It is safe for concurrent use.
type Service struct {
	store   Store
	facts   Facts
	reports report.Reader
	reviews Reviews
	keys    Sealer
	sender  *channel.Sender
	log     *zap.Logger
	metrics *Metrics
	now     func() time.Time
	opts    Options
}

// New returns a service.
func New(d Deps, o Options) (*Service, error) {
	if d.Store == nil || d.Facts == nil {
		return nil, errors.New("alerts: Deps.Store and Deps.Facts are required")
	}
	if d.Logger == nil {
		d.Logger = zap.NewNop()
	}
	if d.Metrics == nil {
		d.Metrics, _ = NewMetrics(nil)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if o.DeliveryLease <= 0 {
		o.DeliveryLease = DefaultDeliveryLease
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.LinesPerSection <= 0 {
		o.LinesPerSection = DefaultLinesPerSection
	}
	if o.LockWait <= 0 {
		o.LockWait = 10 * time.Second
	}
	if o.CycleRetention <= 0 {
		o.CycleRetention = DefaultCycleRetention
	}
	if o.Worker == "" {
		o.Worker = "alerts"
	}
	if d.Sender == nil {
		d.Sender = channel.NewSender(channel.Options{AllowPrivateNetworks: o.AllowPrivateTargets})
	}
	return &Service{store: d.Store, facts: d.Facts, reports: d.Reports, reviews: d.Reviews, keys: d.Keys, sender: d.Sender,
		log: d.Logger.Named("alerts"), metrics: d.Metrics, now: d.Now, opts: o}, nil
}
