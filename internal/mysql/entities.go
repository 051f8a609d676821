package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/domain"
)

// The mirror of OceanEngine entities (oe_campaigns, oe_ads, oe_creatives,
// oe_projects, oe_promotions): the sync engine writes it with the batch
// upserts; ad operations update one entity after a successful change with
// the single upserts; everyone reads it with the getters and lists.
//
// Upserts never let an older snapshot overwrite a newer one: an existing row
// keeps its fields when the incoming PlatformModifiedAt is older than the
// stored one (a sync that read an entity just before an operator changed it
// cannot undo the change). Every upsert clears DeletedAt and sets SyncedAt.

// Entity kinds of the mirror (MarkOEEntitiesDeleted, OEEntityIDs).
const (
	OEKindCampaign  = string(domain.EntityCampaign)
	OEKindAd        = string(domain.EntityAd)
	OEKindCreative  = string(domain.EntityCreative)
	OEKindProject   = string(domain.EntityProject)
	OEKindPromotion = string(domain.EntityPromotion)
)

// oeTables maps entity kinds to their tables (constants, never input).
var oeTables = map[string]string{
	OEKindCampaign: "oe_campaigns", OEKindAd: "oe_ads", OEKindCreative: "oe_creatives",
	OEKindProject: "oe_projects", OEKindPromotion: "oe_promotions",
}

// OECampaign is a v2 campaign (广告组) in the mirror. Money is yuan; times UTC.
type OECampaign struct {
	ID, AdvertiserID   int64
	Name, Status       string
	BudgetMode         string
	Budget             decimal.Decimal
	LandingType        string
	MarketingPurpose   string
	PlatformCreatedAt  *time.Time
	PlatformModifiedAt *time.Time
	DeletedAt          *time.Time // set by a reconciliation that no longer found it
	SyncedAt           time.Time
}

// OEAd is a v2 ad (广告计划) in the mirror.
type OEAd struct {
	ID, AdvertiserID, CampaignID int64
	Name, Status, OptStatus      string
	BudgetMode                   string
	Budget                       decimal.Decimal
	Pricing                      string
	Bid, CpaBid                  decimal.Decimal
	PlatformCreatedAt            *time.Time
	PlatformModifiedAt           *time.Time
	DeletedAt                    *time.Time
	SyncedAt                     time.Time
}

// OECreative is a v2 creative (创意) in the mirror.
type OECreative struct {
	ID, AdvertiserID, AdID   int64
	Title, Status, OptStatus string
	ImageMode                string
	PlatformCreatedAt        *time.Time
	PlatformModifiedAt       *time.Time
	DeletedAt                *time.Time
	SyncedAt                 time.Time
}

// OEProject is a v3 project (项目) in the mirror.
type OEProject struct {
	ID, AdvertiserID        int64
	Name, Status, OptStatus string
	LandingType             string
	DeliveryMode            string
	BudgetMode              string
	Budget                  decimal.Decimal
	Pricing                 string
	CpaBid                  decimal.Decimal
	PlatformCreatedAt       *time.Time
	PlatformModifiedAt      *time.Time
	DeletedAt               *time.Time
	SyncedAt                time.Time
}

// OEPromotion is a v3 promotion (广告) in the mirror.
type OEPromotion struct {
	ID, AdvertiserID, ProjectID int64
	Name, Status, StatusFirst   string
	OptStatus                   string
	BudgetMode                  string
	Budget, Bid, CpaBid         decimal.Decimal
	LearningPhase               string
	PlatformCreatedAt           *time.Time
	PlatformModifiedAt          *time.Time
	DeletedAt                   *time.Time
	SyncedAt                    time.Time
}

// oeSpec describes one entity table for the shared upsert and read code.
// cols excludes the trailing platform_created_at, platform_modified_at,
// deleted_at, synced_at (common to every table).
type oeSpec struct {
	table, thing string
	cols         []string
}

var (
	campaignSpec = oeSpec{"oe_campaigns", "campaign",
		[]string{"id", "advertiser_id", "name", "status", "budget_mode", "budget", "landing_type", "marketing_purpose"}}
	adSpec = oeSpec{"oe_ads", "ad",
		[]string{"id", "advertiser_id", "campaign_id", "name", "status", "opt_status", "budget_mode", "budget", "pricing", "bid", "cpa_bid"}}
	creativeSpec = oeSpec{"oe_creatives", "creative",
		[]string{"id", "advertiser_id", "ad_id", "title", "status", "opt_status", "image_mode"}}
	projectSpec = oeSpec{"oe_projects", "project",
		[]string{"id", "advertiser_id", "name", "status", "opt_status", "landing_type", "delivery_mode", "budget_mode", "budget", "pricing", "cpa_bid"}}
	promotionSpec = oeSpec{"oe_promotions", "promotion",
		[]string{"id", "advertiser_id", "project_id", "name", "status", "status_first", "opt_status", "budget_mode", "budget", "bid", "cpa_bid", "learning_phase"}}
)

const oeCommonCols = "platform_created_at, platform_modified_at, deleted_at, synced_at"

func (s oeSpec) selectCols(alias string) string {
	cols := append(slices.Clone(s.cols), strings.Split(oeCommonCols, ", ")...)
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// upsertSQL builds the INSERT ... ON DUPLICATE KEY UPDATE for n rows. The
// freshness test compares modify times; platform_modified_at is assigned
// last because MySQL evaluates the assignments left to right, so the others
// must still see the stored value.
func (s oeSpec) upsertSQL(n int) string {
	var b strings.Builder
	all := len(s.cols) + 4
	b.WriteString("INSERT INTO " + s.table + " (" + strings.Join(s.cols, ", ") + ", " + oeCommonCols + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", all-2), ", ") + ", NULL, ?)"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	const fresh = "(platform_modified_at IS NULL OR VALUES(platform_modified_at) IS NULL OR VALUES(platform_modified_at) >= platform_modified_at)"
	b.WriteString(" ON DUPLICATE KEY UPDATE ")
	for _, c := range s.cols[1:] {
		fmt.Fprintf(&b, "%s = IF(%s, VALUES(%s), %s), ", c, fresh, c, c)
	}
	fmt.Fprintf(&b, "platform_created_at = COALESCE(VALUES(platform_created_at), platform_created_at), deleted_at = NULL, synced_at = VALUES(synced_at), "+
		"platform_modified_at = IF(%s, VALUES(platform_modified_at), platform_modified_at)", fresh)
	return b.String()
}

// oeBatch is the size of one multi-row upsert.
const oeBatch = 500

// upsertEntities writes n rows, args(i) giving row i's values for s.cols
// followed by platform_created_at, platform_modified_at and synced_at.
func (db *DB) upsertEntities(ctx context.Context, s oeSpec, n int, args func(i int) []any) (int64, error) {
	defer db.listsChanged()
	var written int64
	for lo := 0; lo < n; lo += oeBatch {
		hi := min(lo+oeBatch, n)
		vals := make([]any, 0, (hi-lo)*(len(s.cols)+3))
		for i := lo; i < hi; i++ {
			vals = append(vals, args(i)...)
		}
		q := s.upsertSQL(hi - lo)
		err := retryDeadlock(ctx, func() error {
			_, err := db.ExecContext(ctx, q, vals...)
			return err
		})
		if err != nil {
			return written, fmt.Errorf("mysql: upsert %s: %w", s.table, err)
		}
		written += int64(hi - lo)
	}
	return written, nil
}

func utcPtr(t *time.Time) sql.NullTime {
	if t == nil || t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC().Truncate(time.Second), Valid: true}
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

// UpsertOECampaigns writes campaigns as read from the platform at syncedAt.
func (db *DB) UpsertOECampaigns(ctx context.Context, cs []OECampaign, syncedAt time.Time) (int64, error) {
	return db.upsertEntities(ctx, campaignSpec, len(cs), func(i int) []any {
		c := cs[i]
		return []any{c.ID, c.AdvertiserID, c.Name, c.Status, c.BudgetMode, money(c.Budget), c.LandingType, c.MarketingPurpose,
			utcPtr(c.PlatformCreatedAt), utcPtr(c.PlatformModifiedAt), syncedAt.UTC()}
	})
}

// UpsertOEAds writes ads as read from the platform at syncedAt.
func (db *DB) UpsertOEAds(ctx context.Context, as []OEAd, syncedAt time.Time) (int64, error) {
	return db.upsertEntities(ctx, adSpec, len(as), func(i int) []any {
		a := as[i]
		return []any{a.ID, a.AdvertiserID, a.CampaignID, a.Name, a.Status, a.OptStatus, a.BudgetMode, money(a.Budget), a.Pricing,
			money(a.Bid), money(a.CpaBid), utcPtr(a.PlatformCreatedAt), utcPtr(a.PlatformModifiedAt), syncedAt.UTC()}
	})
}

// UpsertOECreatives writes creatives as read from the platform at syncedAt.
func (db *DB) UpsertOECreatives(ctx context.Context, cs []OECreative, syncedAt time.Time) (int64, error) {
	return db.upsertEntities(ctx, creativeSpec, len(cs), func(i int) []any {
		c := cs[i]
		return []any{c.ID, c.AdvertiserID, c.AdID, c.Title, c.Status, c.OptStatus, c.ImageMode,
			utcPtr(c.PlatformCreatedAt), utcPtr(c.PlatformModifiedAt), syncedAt.UTC()}
	})
}

// UpsertOEProjects writes projects as read from the platform at syncedAt.
func (db *DB) UpsertOEProjects(ctx context.Context, ps []OEProject, syncedAt time.Time) (int64, error) {
	return db.upsertEntities(ctx, projectSpec, len(ps), func(i int) []any {
		p := ps[i]
		return []any{p.ID, p.AdvertiserID, p.Name, p.Status, p.OptStatus, p.LandingType, p.DeliveryMode, p.BudgetMode,
			money(p.Budget), p.Pricing, money(p.CpaBid), utcPtr(p.PlatformCreatedAt), utcPtr(p.PlatformModifiedAt), syncedAt.UTC()}
	})
}

// UpsertOEPromotions writes promotions as read from the platform at syncedAt.
func (db *DB) UpsertOEPromotions(ctx context.Context, ps []OEPromotion, syncedAt time.Time) (int64, error) {
	return db.upsertEntities(ctx, promotionSpec, len(ps), func(i int) []any {
		p := ps[i]
		return []any{p.ID, p.AdvertiserID, p.ProjectID, p.Name, p.Status, p.StatusFirst, p.OptStatus, p.BudgetMode,
			money(p.Budget), money(p.Bid), money(p.CpaBid), p.LearningPhase, utcPtr(p.PlatformCreatedAt), utcPtr(p.PlatformModifiedAt), syncedAt.UTC()}
	})
}

// UpsertOECampaign writes one campaign, e.g. as read back from the platform
// after a change (ad operations). The same freshness rule applies.
func (db *DB) UpsertOECampaign(ctx context.Context, c OECampaign, syncedAt time.Time) error {
	return upsertOne(ctx, db.UpsertOECampaigns, c, syncedAt)
}

// UpsertOEAd writes one ad (see UpsertOECampaign).
func (db *DB) UpsertOEAd(ctx context.Context, a OEAd, syncedAt time.Time) error {
	return upsertOne(ctx, db.UpsertOEAds, a, syncedAt)
}

// UpsertOECreative writes one creative (see UpsertOECampaign).
func (db *DB) UpsertOECreative(ctx context.Context, c OECreative, syncedAt time.Time) error {
	return upsertOne(ctx, db.UpsertOECreatives, c, syncedAt)
}

// UpsertOEProject writes one project (see UpsertOECampaign).
func (db *DB) UpsertOEProject(ctx context.Context, p OEProject, syncedAt time.Time) error {
	return upsertOne(ctx, db.UpsertOEProjects, p, syncedAt)
}

// UpsertOEPromotion writes one promotion (see UpsertOECampaign).
func (db *DB) UpsertOEPromotion(ctx context.Context, p OEPromotion, syncedAt time.Time) error {
	return upsertOne(ctx, db.UpsertOEPromotions, p, syncedAt)
}

// upsertOne writes one entity with its batch upsert.
func upsertOne[T any](ctx context.Context, upsert func(context.Context, []T, time.Time) (int64, error), e T, syncedAt time.Time) error {
	_, err := upsert(ctx, []T{e}, syncedAt)
	return err
}

// OEEntityIDs lists the ids of an advertiser's entities of kind that are
// not marked deleted (the reconciliation compares them with the platform).
func (db *DB) OEEntityIDs(ctx context.Context, kind string, advertiserID int64) ([]int64, error) {
	table, ok := oeTables[kind]
	if !ok {
		return nil, fmt.Errorf("mysql: unknown entity kind %q", kind)
	}
	return queryAll(ctx, db, nil, table+" ids", scanOne[int64],
		`SELECT id FROM `+table+` WHERE advertiser_id = ? AND deleted_at IS NULL`, advertiserID)
}

// MarkOEEntitiesDeleted sets deleted_at = at on the advertiser's entities of
// kind with the given ids (those a full reconciliation no longer found on
// the platform) that were not written since syncedBefore (the start of the
// reconciliation): an entity upserted meanwhile — e.g. created by ad
// operations after the platform was read — is left alone. Rows already
// marked keep their first deleted_at.
func (db *DB) MarkOEEntitiesDeleted(ctx context.Context, kind string, advertiserID int64, ids []int64, syncedBefore, at time.Time) (int64, error) {
	defer db.listsChanged()
	table, ok := oeTables[kind]
	if !ok {
		return 0, fmt.Errorf("mysql: unknown entity kind %q", kind)
	}
	var n int64
	for chunk := range slices.Chunk(ids, oeBatch) {
		args := []any{at.UTC(), advertiserID, syncedBefore.UTC()}
		for _, id := range chunk {
			args = append(args, id)
		}
		k, err := execCount(ctx, db, "mark "+table+" deleted", `UPDATE `+table+` SET deleted_at = ? WHERE advertiser_id = ? AND deleted_at IS NULL
			AND synced_at < ? AND id IN (`+placeholders(len(chunk))+`)`, args...)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ---- reads ----

type scanner interface{ Scan(...any) error }

// scanOE reads one entity row: its own columns into own, then the columns
// every mirror table ends with into the entity's common fields.
func scanOE(r scanner, own []any, created, modified, deleted **time.Time, synced *time.Time) error {
	var c, m, d sql.NullTime
	err := r.Scan(append(own, &c, &m, &d, synced)...)
	*created, *modified, *deleted = timePtr(c), timePtr(m), timePtr(d)
	return err
}

func scanOECampaign(r scanner) (c OECampaign, err error) {
	err = scanOE(r, []any{&c.ID, &c.AdvertiserID, &c.Name, &c.Status, &c.BudgetMode, &c.Budget, &c.LandingType, &c.MarketingPurpose},
		&c.PlatformCreatedAt, &c.PlatformModifiedAt, &c.DeletedAt, &c.SyncedAt)
	return c, err
}

func scanOEAd(r scanner) (a OEAd, err error) {
	err = scanOE(r, []any{&a.ID, &a.AdvertiserID, &a.CampaignID, &a.Name, &a.Status, &a.OptStatus, &a.BudgetMode, &a.Budget,
		&a.Pricing, &a.Bid, &a.CpaBid}, &a.PlatformCreatedAt, &a.PlatformModifiedAt, &a.DeletedAt, &a.SyncedAt)
	return a, err
}

func scanOECreative(r scanner) (c OECreative, err error) {
	err = scanOE(r, []any{&c.ID, &c.AdvertiserID, &c.AdID, &c.Title, &c.Status, &c.OptStatus, &c.ImageMode},
		&c.PlatformCreatedAt, &c.PlatformModifiedAt, &c.DeletedAt, &c.SyncedAt)
	return c, err
}

func scanOEProject(r scanner) (p OEProject, err error) {
	err = scanOE(r, []any{&p.ID, &p.AdvertiserID, &p.Name, &p.Status, &p.OptStatus, &p.LandingType, &p.DeliveryMode,
		&p.BudgetMode, &p.Budget, &p.Pricing, &p.CpaBid}, &p.PlatformCreatedAt, &p.PlatformModifiedAt, &p.DeletedAt, &p.SyncedAt)
	return p, err
}

func scanOEPromotion(r scanner) (p OEPromotion, err error) {
	err = scanOE(r, []any{&p.ID, &p.AdvertiserID, &p.ProjectID, &p.Name, &p.Status, &p.StatusFirst, &p.OptStatus,
		&p.BudgetMode, &p.Budget, &p.Bid, &p.CpaBid, &p.LearningPhase}, &p.PlatformCreatedAt, &p.PlatformModifiedAt, &p.DeletedAt, &p.SyncedAt)
	return p, err
}

// oneInScope loads the entity with id if its advertiser is within scope;
// KindNotFound otherwise (absent or outside the scope look the same).
func oneInScope[T any](ctx context.Context, db *DB, s oeSpec, scope auth.Scope, id int64, scan func(scanner) (T, error)) (T, error) {
	inScope, args := scopeClause(scope, "e.advertiser_id")
	return queryOne(ctx, db, s.thing, fmt.Sprintf("%s %d", s.thing, id), scan,
		`SELECT `+s.selectCols("e")+` FROM `+s.table+` e WHERE e.id = ? AND `+inScope, append([]any{id}, args...)...)
}

// OEListOptions narrows the per-advertiser lists.
type OEListOptions struct {
	// IncludeDeleted also returns entities a reconciliation marked deleted
	// locally (DeletedAt set). Platform-deleted ones (status *_DELETE) are
	// always returned.
	IncludeDeleted bool
}

func listByAdvertiser[T any](ctx context.Context, db *DB, s oeSpec, advertiserID int64, o OEListOptions, scan func(scanner) (T, error)) ([]T, error) {
	q := `SELECT ` + s.selectCols("e") + ` FROM ` + s.table + ` e WHERE e.advertiser_id = ?`
	if !o.IncludeDeleted {
		q += ` AND e.deleted_at IS NULL`
	}
	return queryAll(ctx, db, []T{}, "list "+s.table, scan, q+` ORDER BY e.id`, advertiserID)
}

// OECampaignByID returns a campaign with its advertiser, if the advertiser
// is within scope (KindNotFound otherwise). Use auth.SystemScope() in jobs.
func (db *DB) OECampaignByID(ctx context.Context, scope auth.Scope, id int64) (OECampaign, error) {
	return oneInScope(ctx, db, campaignSpec, scope, id, scanOECampaign)
}

// OEAdByID returns an ad (see OECampaignByID).
func (db *DB) OEAdByID(ctx context.Context, scope auth.Scope, id int64) (OEAd, error) {
	return oneInScope(ctx, db, adSpec, scope, id, scanOEAd)
}

// OEProjectByID returns a project (see OECampaignByID).
func (db *DB) OEProjectByID(ctx context.Context, scope auth.Scope, id int64) (OEProject, error) {
	return oneInScope(ctx, db, projectSpec, scope, id, scanOEProject)
}

// OEPromotionByID returns a promotion (see OECampaignByID).
func (db *DB) OEPromotionByID(ctx context.Context, scope auth.Scope, id int64) (OEPromotion, error) {
	return oneInScope(ctx, db, promotionSpec, scope, id, scanOEPromotion)
}

// ListOECampaigns lists an advertiser's campaigns by id (no scope check:
// callers resolve the advertiser within the caller's scope first).
func (db *DB) ListOECampaigns(ctx context.Context, advertiserID int64, o OEListOptions) ([]OECampaign, error) {
	return listByAdvertiser(ctx, db, campaignSpec, advertiserID, o, scanOECampaign)
}

// ListOEAds lists an advertiser's ads by id (see ListOECampaigns).
func (db *DB) ListOEAds(ctx context.Context, advertiserID int64, o OEListOptions) ([]OEAd, error) {
	return listByAdvertiser(ctx, db, adSpec, advertiserID, o, scanOEAd)
}

// ListOECreatives lists an advertiser's creatives by id (see ListOECampaigns).
func (db *DB) ListOECreatives(ctx context.Context, advertiserID int64, o OEListOptions) ([]OECreative, error) {
	return listByAdvertiser(ctx, db, creativeSpec, advertiserID, o, scanOECreative)
}

// ListOEProjects lists an advertiser's projects by id (see ListOECampaigns).
func (db *DB) ListOEProjects(ctx context.Context, advertiserID int64, o OEListOptions) ([]OEProject, error) {
	return listByAdvertiser(ctx, db, projectSpec, advertiserID, o, scanOEProject)
}

// ListOEPromotions lists an advertiser's promotions by id (see ListOECampaigns).
func (db *DB) ListOEPromotions(ctx context.Context, advertiserID int64, o OEListOptions) ([]OEPromotion, error) {
	return listByAdvertiser(ctx, db, promotionSpec, advertiserID, o, scanOEPromotion)
}
