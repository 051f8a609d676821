package report

import (
	"time"

	"github.com/shopspring/decimal"
)

// Row is one group of a report: the dimensions the spec groups by (others
// are zero) and the summed base metrics.
type Row struct {
	Date           string // YYYY-MM-DD when grouped by date
	Hour           int    // 0-23 when grouped by hour
	ClientID       int64  // when grouped by client; 0 for advertisers of no client
	ClientName     string
	ManagerID      int64 // when grouped by manager; 0 for advertisers authorised directly
	ManagerName    string
	AdvertiserID   int64 // when grouped by advertiser or entity
	AdvertiserName string
	EntityID       int64 // when grouped by entity
	EntityName     string
	ParentID       int64 // when grouped by parent
	ParentName     string
	Totals
}

// Result is a page of a report plus the summary line over every row the
// query matches (not just the page).
type Result struct {
	Rows []Row
	// Total is the number of groups the query matches.
	Total   int64
	Summary Totals
	// Coverage says which days of the range the mirror has read, per
	// advertiser.
	Coverage Coverage
}

// EntityKind is a kind of mirrored entity with a list endpoint.
type EntityKind string

// The entity kinds of the list endpoints (the path segment).
const (
	KindCampaigns  EntityKind = "campaigns"
	KindAds        EntityKind = "ads"
	KindProjects   EntityKind = "projects"
	KindPromotions EntityKind = "promotions"
)

// Level is the report level of the kind's entities.
func (k EntityKind) Level() Level {
	switch k {
	case KindCampaigns:
		return LevelCampaign
	case KindAds:
		return LevelAd
	case KindProjects:
		return LevelProject
	case KindPromotions:
		return LevelPromotion
	}
	return ""
}

// Entity sort keys of the list endpoints.
var entitySortKeys = []string{"id", "name", "status", "created_at", "modified_at",
	MetricCost, MetricShow, MetricClick, MetricConvert, MetricCTR, MetricCPA}

// EntitySortKeys lists the keys an entity list may be sorted by.
func EntitySortKeys() []string { return append([]string(nil), entitySortKeys...) }

// EntityFilter selects and orders mirrored entities. Validate it with
// EntityFilter.Check before use.
type EntityFilter struct {
	Kind           EntityKind
	AdvertiserIDs  []int64
	ClientIDs      []int64 // the advertisers of these clients; none = any
	IDs            []int64 // only these entities; none = any
	Statuses       []string
	Keyword        string // substring of the name, or an exact id
	ParentID       int64  // campaign of ads, project of promotions; 0 = any
	IncludeDeleted bool
	OrderBy        Order
	Limit, Offset  int
	// Today is the Beijing date whose metrics each row carries.
	Today string
}

// Entity is a mirrored campaign, ad, project or promotion with today's
// core metrics. Fields a kind does not have are zero (ParentID of a
// campaign, Bid of a project).
type Entity struct {
	ID             int64
	AdvertiserID   int64
	AdvertiserName string
	ParentID       int64
	ParentName     string
	Name           string
	Status         string
	OptStatus      string
	BudgetMode     string
	Budget         decimal.Decimal
	Pricing        string
	Bid            *decimal.Decimal // ads and promotions
	CPABid         *decimal.Decimal // ads, projects and promotions
	CreatedAt      *time.Time       // on the platform, UTC
	ModifiedAt     *time.Time
	DeletedAt      *time.Time // set when a full reconciliation no longer found it
	SyncedAt       time.Time
	Today          Totals
}

// Overview is the dashboard: today so far against yesterday over the same
// span, the top ads of today by cost, and the hourly trend of both days.
//
// Hourly figures come in complete hours, each advertiser's as far as its
// last hourly sync: its through-hour (today's hours before it have data;
// at most the current hour). Each advertiser's today is compared with its
// yesterday before the same hour.
type Overview struct {
	Today, Yesterday string // Beijing dates
	// UpToHour is the current Beijing hour.
	UpToHour int
	// ThroughHour is the latest through-hour among the advertisers (0-23):
	// today's hours before it have data from some advertiser;
	// EarliestThroughHour is the earliest among those the mirror syncs
	// (ThroughHour when none is behind or none is synced).
	ThroughHour, EarliestThroughHour int
	// DataThrough and DataThroughEarliest are those hours as instants
	// (today at that hour, Beijing).
	DataThrough, DataThroughEarliest time.Time
	// AdvertisersBehind counts the advertisers the mirror syncs whose
	// through-hour is before ThroughHour.
	AdvertisersBehind int
	// TodaySoFar sums today's hours, each advertiser's before its
	// through-hour.
	TodaySoFar Totals
	// YesterdaySameTime sums yesterday's hours, each advertiser's before
	// its through-hour of today: the same span as TodaySoFar.
	YesterdaySameTime Totals
	// YesterdayUntil is the end of the longest span compared: yesterday at
	// the time of day of DataThrough.
	YesterdayUntil time.Time
	// YesterdayFull is yesterday's whole day (from the daily report).
	YesterdayFull Totals
	TopAds        []TopAd
	// TrendToday holds today's hours as summed into TodaySoFar (hours from
	// ThroughHour on have none); TrendYesterday yesterday's whole hours
	// (hours without data are zero).
	TrendToday, TrendYesterday [24]Totals
	// ReadAt is when the figures were read from the database: a cached
	// overview's are older than the instant it is computed at.
	ReadAt time.Time
}

// TopAd is one ad (v2) or promotion (v3) of the dashboard's top list.
type TopAd struct {
	Level          Level
	ID             int64
	Name           string
	AdvertiserID   int64
	AdvertiserName string
	Totals
}

// ParseOrder parses "key", "-key", "key:asc" or "key:desc" against the
// allowed keys; ok is false for an unknown key.
func ParseOrder(s string, allowed []string) (o Order, ok bool) {
	switch {
	case len(s) > 0 && s[0] == '-':
		o = Order{Key: s[1:], Desc: true}
	case len(s) > 5 && s[len(s)-5:] == ":desc":
		o = Order{Key: s[:len(s)-5], Desc: true}
	case len(s) > 4 && s[len(s)-4:] == ":asc":
		o = Order{Key: s[:len(s)-4]}
	default:
		o = Order{Key: s}
	}
	for _, k := range allowed {
		if k == o.Key {
			return o, true
		}
	}
	return o, false
}
