package adops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/mirror"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Platform is what ad operations call on OceanEngine. *oceanengine.Client
// implements it; tests use the real client against the sandbox.
type Platform interface {
	// Entity lists, as the sync reads them (also for re-reading the
	// children of a changed entity).
	mirror.Lister

	UpdateCampaign(ctx context.Context, req oceanengine.CampaignUpdateRequest) (*oceanengine.WriteResult, error)
	UpdateCampaignStatus(ctx context.Context, req oceanengine.CampaignStatusRequest) (*oceanengine.BatchResult, error)
	UpdateAdStatus(ctx context.Context, req oceanengine.AdStatusRequest) (*oceanengine.BatchResult, error)
	UpdateAdBudget(ctx context.Context, req oceanengine.AdBudgetRequest) (*oceanengine.BatchResult, error)
	UpdateAdBid(ctx context.Context, req oceanengine.AdBidRequest) (*oceanengine.BatchResult, error)
	UpdateProjectStatus(ctx context.Context, req oceanengine.ProjectStatusRequest) (*oceanengine.BatchResult, error)
	UpdateProjectBudget(ctx context.Context, req oceanengine.ProjectBudgetRequest) (*oceanengine.BatchResult, error)
	UpdateProjectBid(ctx context.Context, req oceanengine.ProjectBidRequest) (*oceanengine.BatchResult, error)
	DeleteProjects(ctx context.Context, req oceanengine.ProjectDeleteRequest) (*oceanengine.BatchResult, error)
	UpdatePromotionStatus(ctx context.Context, req oceanengine.PromotionStatusRequest) (*oceanengine.BatchResult, error)
	UpdatePromotionBudget(ctx context.Context, req oceanengine.PromotionBudgetRequest) (*oceanengine.BatchResult, error)
	UpdatePromotionBid(ctx context.Context, req oceanengine.PromotionBidRequest) (*oceanengine.BatchResult, error)
	DeletePromotions(ctx context.Context, req oceanengine.PromotionDeleteRequest) (*oceanengine.BatchResult, error)
	AdvertiserBudgets(ctx context.Context, accountID int64, advertiserIDs []int64) ([]oceanengine.AdvertiserBudget, error)
	UpdateAdvertiserBudget(ctx context.Context, req oceanengine.AdvertiserBudgetRequest) (*oceanengine.WriteResult, error)
}

var _ Platform = (*oceanengine.Client)(nil)

// readChunk is the most ids one read or write carries (the platform's limit).
const readChunk = 100

// v3DeleteChunk is the most ids one v3 delete carries.
const v3DeleteChunk = 10

// snapshot is an entity's state as far as changes are concerned, read from
// the mirror or the platform.
type snapshot struct {
	kind         Kind
	id           int64
	advertiserID int64
	status       string // StatusEnable, StatusDisable, StatusDelete
	budgetMode   string
	budget       decimal.Decimal
	pricing      string
	bid, cpaBid  decimal.Decimal
	// modifyTime is the campaign's campaign_modify_time, echoed by
	// 2/campaign/update (optimistic lock).
	modifyTime oceanengine.Time
	// row is the mirror row (mysql.OECampaign, ...) this snapshot came
	// from or would write.
	row any
}

// value returns the snapshot's value of f.
func (s snapshot) value(f Field) Value {
	switch f {
	case FieldStatus:
		return StatusValue(s.status)
	case FieldBudget:
		if s.kind == KindAdvertiser && s.budgetMode == "" {
			return Value{} // not read yet
		}
		if s.budgetMode == oceanengine.BudgetModeInfinite || s.budgetMode == "" {
			return UnlimitedValue()
		}
		return AmountValue(s.budget)
	case FieldBid:
		return AmountValue(s.bid)
	case FieldCpaBid:
		return AmountValue(s.cpaBid)
	}
	return Value{}
}

// ocPricing reports OCPC/OCPM-style pricing, where an ad's bid is its
// target CPA (cpa_bid).
func ocPricing(p string) bool { return strings.HasPrefix(p, "PRICING_OC") }

// effectiveBid is the bid the platform compares with the budget: the
// target CPA of projects and OCPC/OCPM ads, the bid otherwise.
func (s snapshot) effectiveBid() decimal.Decimal {
	if s.kind == KindProject || (s.kind == KindAd && ocPricing(s.pricing)) {
		return s.cpaBid
	}
	return s.bid
}

// ---- statuses ----

// EntityStatus is the ad-ops status (StatusEnable, StatusDisable,
// StatusDelete) of a mirrored entity of kind k from its platform status,
// opt status and (promotions) first status.
func EntityStatus(k Kind, status, opt, first string) string {
	switch k {
	case KindCampaign:
		return campaignStatus(status)
	case KindAd:
		return adStatus(status, opt)
	case KindProject:
		return projectStatus(status, opt)
	case KindPromotion:
		return promotionStatus(status, first, opt)
	}
	return ""
}

// BidField is the field a bid change of an entity sets: the target CPA
// (FieldCpaBid) of projects and of OCPC/OCPM ads, else FieldBid; "" for
// campaigns.
func BidField(k Kind, pricing string) Field {
	switch {
	case k == KindProject || k == KindAd && ocPricing(pricing):
		return FieldCpaBid
	case k == KindAd || k == KindPromotion:
		return FieldBid
	}
	return ""
}

func campaignStatus(platform string) string {
	switch platform {
	case "CAMPAIGN_STATUS_DELETE":
		return StatusDelete
	case "CAMPAIGN_STATUS_DISABLE":
		return StatusDisable
	}
	return StatusEnable // enabled, possibly over budget
}

func adStatus(status, opt string) string {
	switch {
	case status == "AD_STATUS_DELETE":
		return StatusDelete
	case opt == "AD_STATUS_ENABLE":
		return StatusEnable
	case opt == "":
		if status == "AD_STATUS_DISABLE" {
			return StatusDisable
		}
		return StatusEnable
	}
	return StatusDisable
}

func projectStatus(status, opt string) string {
	switch {
	case status == "PROJECT_STATUS_DELETE":
		return StatusDelete
	case opt == oceanengine.V3Enable:
		return StatusEnable
	}
	return StatusDisable
}

func promotionStatus(status, first, opt string) string {
	switch {
	case status == "DELETED" || first == "PROMOTION_STATUS_DELETED":
		return StatusDelete
	case opt == oceanengine.V3Enable:
		return StatusEnable
	}
	return StatusDisable
}

// ---- from the mirror ----

func fromMirrorCampaign(c mysql.OECampaign) snapshot {
	return snapshot{kind: KindCampaign, id: c.ID, advertiserID: c.AdvertiserID, status: campaignStatus(c.Status),
		budgetMode: c.BudgetMode, budget: c.Budget, row: c}
}

func fromMirrorAd(a mysql.OEAd) snapshot {
	return snapshot{kind: KindAd, id: a.ID, advertiserID: a.AdvertiserID, status: adStatus(a.Status, a.OptStatus),
		budgetMode: a.BudgetMode, budget: a.Budget, pricing: a.Pricing, bid: a.Bid, cpaBid: a.CpaBid, row: a}
}

func fromMirrorProject(p mysql.OEProject) snapshot {
	return snapshot{kind: KindProject, id: p.ID, advertiserID: p.AdvertiserID, status: projectStatus(p.Status, p.OptStatus),
		budgetMode: p.BudgetMode, budget: p.Budget, pricing: p.Pricing, cpaBid: p.CpaBid, row: p}
}

func fromMirrorPromotion(p mysql.OEPromotion) snapshot {
	return snapshot{kind: KindPromotion, id: p.ID, advertiserID: p.AdvertiserID, status: promotionStatus(p.Status, p.StatusFirst, p.OptStatus),
		budgetMode: p.BudgetMode, budget: p.Budget, bid: p.Bid, cpaBid: p.CpaBid, row: p}
}

// fromMirrorAdvertiser is an advertiser account as stored (row: the
// mysql.Advertiser, whose role and binding checkEntity reads).
func fromMirrorAdvertiser(a mysql.Advertiser) snapshot {
	return snapshot{kind: KindAdvertiser, id: a.ID, advertiserID: a.ID, budgetMode: a.BudgetMode, budget: a.Budget.Decimal, row: a}
}

// fromPlatformAdvertiser is an advertiser's daily budget as the platform
// answered it (row: the mysql.AdvertiserBudgetUpdate that stores it).
func fromPlatformAdvertiser(b oceanengine.AdvertiserBudget) snapshot {
	return advertiserBudgetSnapshot(mysql.AdvertiserBudgetUpdate{ID: int64(b.AdvertiserID), Mode: b.BudgetMode, Budget: b.Daily()})
}

func advertiserBudgetSnapshot(r mysql.AdvertiserBudgetUpdate) snapshot {
	return snapshot{kind: KindAdvertiser, id: r.ID, advertiserID: r.ID, budgetMode: r.Mode, budget: r.Budget.Decimal, row: r}
}

// mirrorSnapshot loads one entity from the mirror within scope
// (KindNotFound when absent or outside it).
func mirrorSnapshot(ctx context.Context, db *mysql.DB, req Request, id int64) (snapshot, error) {
	switch req.Kind {
	case KindAdvertiser:
		a, err := db.AdvertiserInScope(ctx, req.Scope, id)
		return fromMirrorAdvertiser(a), err
	case KindCampaign:
		c, err := db.OECampaignByID(ctx, req.Scope, id)
		return fromMirrorCampaign(c), err
	case KindAd:
		a, err := db.OEAdByID(ctx, req.Scope, id)
		return fromMirrorAd(a), err
	case KindProject:
		p, err := db.OEProjectByID(ctx, req.Scope, id)
		return fromMirrorProject(p), err
	case KindPromotion:
		p, err := db.OEPromotionByID(ctx, req.Scope, id)
		return fromMirrorPromotion(p), err
	}
	return snapshot{}, fmt.Errorf("adops: unknown kind %q", req.Kind)
}

// platformStatus is the platform's status of a mirror row ("" for none).
func platformStatus(row any) string {
	switch r := row.(type) {
	case mysql.OECampaign:
		return r.Status
	case mysql.OEAd:
		return r.Status
	case mysql.OEProject:
		return r.Status
	case mysql.OEPromotion:
		return r.Status
	}
	return ""
}

// deletedLocally reports an entity a reconciliation no longer found.
func (s snapshot) deletedLocally() bool {
	switch r := s.row.(type) {
	case mysql.OECampaign:
		return r.DeletedAt != nil
	case mysql.OEAd:
		return r.DeletedAt != nil
	case mysql.OEProject:
		return r.DeletedAt != nil
	case mysql.OEPromotion:
		return r.DeletedAt != nil
	}
	return false
}

// ---- from the platform ----

// Snapshots of what the platform returned are built from the mirror's own
// conversions (mirror.CampaignRow, ...): the row an ad operation upserts is
// exactly the row the sync would write for the same answer.

func fromPlatformCampaign(adv int64, c oceanengine.Campaign) (snapshot, error) {
	row, err := mirror.CampaignRow(adv, c)
	if err != nil {
		return snapshot{}, err
	}
	s := fromMirrorCampaign(row)
	s.modifyTime = c.CampaignModifyTime // echoed by 2/campaign/update
	return s, nil
}

func fromPlatformAd(adv int64, a oceanengine.Ad) (snapshot, error) {
	row, err := mirror.AdRow(adv, a)
	return fromMirrorAd(row), err
}

func fromPlatformProject(adv int64, p oceanengine.Project) (snapshot, error) {
	row, err := mirror.ProjectRow(adv, p)
	return fromMirrorProject(row), err
}

func fromPlatformPromotion(adv int64, p oceanengine.Promotion) (snapshot, error) {
	row, err := mirror.PromotionRow(adv, p)
	return fromMirrorPromotion(row), err
}

// readPlatform reads entities of kind of one advertiser by id, deleted ones
// included. Ids the platform does not return are absent from the map.
func readPlatform(ctx context.Context, p Platform, kind Kind, adv int64, ids []int64) (map[int64]snapshot, error) {
	out := make(map[int64]snapshot, len(ids))
	for chunk := range slices.Chunk(ids, readChunk) {
		var err error
		switch kind {
		case KindCampaign:
			err = readSnapshots(ctx, out, ids, adv, p.Campaigns, &oceanengine.CampaignFilter{IDs: chunk, Status: "CAMPAIGN_STATUS_ALL"}, fromPlatformCampaign)
		case KindAd:
			err = readSnapshots(ctx, out, ids, adv, p.Ads, &oceanengine.AdFilter{IDs: chunk, Status: "AD_STATUS_ALL"}, fromPlatformAd)
		case KindProject:
			err = readSnapshots(ctx, out, ids, adv, p.Projects, &oceanengine.ProjectFilter{IDs: chunk, Status: "PROJECT_STATUS_ALL"}, fromPlatformProject)
		case KindPromotion:
			err = readSnapshots(ctx, out, ids, adv, p.Promotions, &oceanengine.PromotionFilter{IDs: chunk, Status: "ALL"}, fromPlatformPromotion)
		case KindAdvertiser:
			var bs []oceanengine.AdvertiserBudget
			if bs, err = p.AdvertiserBudgets(ctx, adv, chunk); err == nil {
				for _, b := range bs {
					if sn := fromPlatformAdvertiser(b); slices.Contains(ids, sn.id) {
						out[sn.id] = sn
					}
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readSnapshots reads one page of up to readChunk entities with list,
// filtered by filter, converts each (conv) and adds those whose id is among
// ids to out.
func readSnapshots[F, E any](ctx context.Context, out map[int64]snapshot, ids []int64, adv int64,
	list func(context.Context, oceanengine.ListRequest[F]) (*oceanengine.ListPage[E], error), filter *F,
	conv func(int64, E) (snapshot, error)) error {
	page, err := list(ctx, oceanengine.ListRequest[F]{AdvertiserID: adv, PageSize: readChunk, Filtering: filter})
	if err != nil {
		return err
	}
	for _, e := range page.List {
		s, err := conv(adv, e)
		if err != nil {
			return err
		}
		if slices.Contains(ids, s.id) {
			out[s.id] = s
		}
	}
	return nil
}

// upsertMirror writes a platform snapshot into the mirror at once.
func upsertMirror(ctx context.Context, db *mysql.DB, s snapshot, at time.Time) error {
	switch r := s.row.(type) {
	case mysql.OECampaign:
		return db.UpsertOECampaign(ctx, r, at)
	case mysql.OEAd:
		return db.UpsertOEAd(ctx, r, at)
	case mysql.OEProject:
		return db.UpsertOEProject(ctx, r, at)
	case mysql.OEPromotion:
		return db.UpsertOEPromotion(ctx, r, at)
	case mysql.AdvertiserBudgetUpdate:
		return db.SetAdvertiserBudget(ctx, r, at)
	}
	return fmt.Errorf("adops: no mirror row for %s %d", s.kind, s.id)
}

// withValue returns the snapshot (and its mirror row) with f set to v: the
// mirror's best knowledge when the platform accepted a change but reading
// it back failed. The next sync replaces it with what the platform reports.
func (s snapshot) withValue(f Field, v Value) snapshot {
	mode, budget := oceanengine.BudgetModeDay, v.Amount
	if v.Unlimited {
		mode, budget = oceanengine.BudgetModeInfinite, decimal.Zero
	}
	switch r := s.row.(type) {
	case mysql.OECampaign:
		switch f {
		case FieldStatus:
			r.Status = map[string]string{StatusEnable: "CAMPAIGN_STATUS_ENABLE", StatusDisable: "CAMPAIGN_STATUS_DISABLE",
				StatusDelete: "CAMPAIGN_STATUS_DELETE"}[v.Status]
		case FieldBudget:
			r.BudgetMode, r.Budget = mode, budget
		}
		n := fromMirrorCampaign(r)
		n.modifyTime = s.modifyTime
		return n
	case mysql.OEAd:
		switch f {
		case FieldStatus:
			r.OptStatus = map[string]string{StatusEnable: "AD_STATUS_ENABLE", StatusDisable: "AD_STATUS_DISABLE", StatusDelete: "AD_STATUS_DISABLE"}[v.Status]
			switch v.Status {
			case StatusDelete:
				r.Status = "AD_STATUS_DELETE"
			case StatusDisable:
				r.Status = "AD_STATUS_DISABLE"
			}
		case FieldBudget:
			r.BudgetMode, r.Budget = mode, budget
		case FieldBid:
			r.Bid = v.Amount
		case FieldCpaBid:
			r.Bid, r.CpaBid = v.Amount, v.Amount // an OCPC/OCPM ad's bid is its target CPA
		}
		return fromMirrorAd(r)
	case mysql.OEProject:
		switch f {
		case FieldStatus:
			r.OptStatus = map[string]string{StatusEnable: oceanengine.V3Enable, StatusDisable: oceanengine.V3Disable, StatusDelete: oceanengine.V3Disable}[v.Status]
			switch v.Status {
			case StatusDelete:
				r.Status = "PROJECT_STATUS_DELETE"
			case StatusDisable:
				r.Status = "PROJECT_STATUS_DISABLE"
			}
		case FieldBudget:
			r.BudgetMode, r.Budget = mode, budget
		case FieldCpaBid:
			r.CpaBid = v.Amount
		}
		return fromMirrorProject(r)
	case mysql.OEPromotion:
		switch f {
		case FieldStatus:
			r.OptStatus = map[string]string{StatusEnable: oceanengine.V3Enable, StatusDisable: oceanengine.V3Disable, StatusDelete: oceanengine.V3Disable}[v.Status]
			switch v.Status {
			case StatusDelete:
				r.Status, r.StatusFirst = "DELETED", "PROMOTION_STATUS_DELETED"
			case StatusDisable:
				r.Status, r.StatusFirst = "DISABLED", "PROMOTION_STATUS_DISABLE"
			}
		case FieldBudget:
			r.BudgetMode, r.Budget = mode, budget
		case FieldBid:
			r.Bid, r.CpaBid = v.Amount, v.Amount
		}
		return fromMirrorPromotion(r)
	case mysql.Advertiser:
		b := advertiserBudgetRow(r.ID, v)
		r.BudgetMode, r.Budget = b.Mode, b.Budget
		return fromMirrorAdvertiser(r)
	case mysql.AdvertiserBudgetUpdate:
		return advertiserBudgetSnapshot(advertiserBudgetRow(r.ID, v))
	}
	return s
}

// advertiserBudgetRow stores budget value v of advertiser id.
func advertiserBudgetRow(id int64, v Value) mysql.AdvertiserBudgetUpdate {
	if v.Unlimited {
		return mysql.AdvertiserBudgetUpdate{ID: id, Mode: oceanengine.BudgetModeInfinite}
	}
	return mysql.AdvertiserBudgetUpdate{ID: id, Mode: oceanengine.BudgetModeDay, Budget: decimal.NullDecimal{Decimal: v.Amount, Valid: true}}
}

// ---- writes ----

// Per-item verdicts of a platform write.
const (
	callApplied  = iota + 1 // the platform reported the item applied
	callRejected            // the platform refused it (or provably did not act)
	callUnknown             // the platform may have applied it
)

// callOutcome is what a write reported for one item.
type callOutcome struct {
	verdict   int
	code      int
	message   string
	requestID string
	kind      apperr.Kind
}

// planned is one item to write.
type planned struct {
	id     int64
	before snapshot
	want   Value
}

// outcomesOf turns the answer of one batch write into per-item outcomes.
func outcomesOf(ids []int64, res *oceanengine.BatchResult, err error, out map[int64]callOutcome) {
	var be *oceanengine.BatchError
	switch {
	case err == nil || errors.As(err, &be):
		rid := ""
		var ok []int64
		var failed []oceanengine.ItemError
		if be != nil {
			rid, ok, failed = be.RequestID, be.Succeeded, be.Failed
		} else if res != nil {
			rid, ok, failed = res.RequestID, res.Succeeded, res.Failed
		}
		for _, id := range ids {
			out[id] = callOutcome{verdict: callUnknown, requestID: rid, kind: apperr.KindUpstream,
				message: "the platform's answer did not mention this item"}
		}
		for _, id := range ok {
			if _, mine := out[id]; mine {
				out[id] = callOutcome{verdict: callApplied, requestID: rid}
			}
		}
		for _, f := range failed {
			if _, mine := out[f.ID]; mine {
				out[f.ID] = callOutcome{verdict: callRejected, code: f.Code, message: f.Message, requestID: rid, kind: apperr.KindValidation}
			}
		}
	case oceanengine.IsOutcomeUnknown(err):
		for _, id := range ids {
			out[id] = callOutcome{verdict: callUnknown, message: err.Error(), kind: apperr.KindOf(err)}
		}
	default:
		o := callOutcome{verdict: callRejected, message: err.Error(), kind: apperr.KindOf(err)}
		var ae *oceanengine.APIError
		if errors.As(err, &ae) {
			o.code, o.message, o.requestID = ae.Code, ae.Message, ae.RequestID
			if ae.Code == oceanengine.CodeParam {
				// A parameter error on a write is the platform refusing the
				// value (e.g. a budget rule): a rule violation, like a
				// rejected batch item.
				o.kind = apperr.KindValidation
			}
		}
		if o.kind == apperr.KindInternal {
			o.kind = apperr.KindUpstream
		}
		for _, id := range ids {
			out[id] = o
		}
	}
}

func money(d decimal.Decimal) oceanengine.Money { return oceanengine.Money{Decimal: d} }

func v2Opt(s string) string {
	switch s {
	case StatusEnable:
		return oceanengine.OptEnable
	case StatusDisable:
		return oceanengine.OptDisable
	}
	return oceanengine.OptDelete
}

func v3Opt(s string) string {
	if s == StatusEnable {
		return oceanengine.V3Enable
	}
	return oceanengine.V3Disable
}

// budgetOf is the budget mode and amount that set a budget value.
func budgetOf(v Value) (string, oceanengine.Money) {
	if v.Unlimited {
		return oceanengine.BudgetModeInfinite, money(decimal.Zero)
	}
	return oceanengine.BudgetModeDay, money(v.Amount)
}

// write sends the changes of one advertiser's items and returns each item's
// outcome. It never retries a write whose outcome is unknown: the caller
// reads the entities back.
func write(ctx context.Context, p Platform, kind Kind, field Field, adv int64, items []planned) map[int64]callOutcome {
	out := make(map[int64]callOutcome, len(items))
	if field == FieldStatus {
		// One call per status wanted (v2 takes one opt_status per call;
		// v3 deletes have their own endpoints).
		byStatus := map[string][]planned{}
		for _, it := range items {
			byStatus[it.want.Status] = append(byStatus[it.want.Status], it)
		}
		for _, st := range []string{StatusEnable, StatusDisable, StatusDelete} {
			group := byStatus[st]
			chunk := readChunk
			if st == StatusDelete && (kind == KindProject || kind == KindPromotion) {
				chunk = v3DeleteChunk
			}
			for part := range slices.Chunk(group, chunk) {
				res, err := writeStatus(ctx, p, kind, adv, st, part)
				outcomesOf(idsOf(part), res, err, out)
			}
		}
		return out
	}
	if kind == KindCampaign || kind == KindAdvertiser { // budget: one campaign (2/campaign/update) or account per call
		for _, it := range items {
			mode, amount := budgetOf(it.want)
			var (
				w   *oceanengine.WriteResult
				err error
			)
			if kind == KindAdvertiser {
				req := oceanengine.AdvertiserBudgetRequest{AdvertiserID: it.id, BudgetMode: mode}
				if !it.want.Unlimited {
					req.Budget = &amount
				}
				w, err = p.UpdateAdvertiserBudget(ctx, req)
			} else {
				req := oceanengine.CampaignUpdateRequest{AdvertiserID: adv, CampaignID: it.id, ModifyTime: it.before.modifyTime, BudgetMode: mode}
				if !it.want.Unlimited {
					req.Budget = &amount
				}
				w, err = p.UpdateCampaign(ctx, req)
			}
			var res *oceanengine.BatchResult
			if err == nil {
				res = &oceanengine.BatchResult{RequestID: w.RequestID, Succeeded: []int64{it.id}}
			}
			outcomesOf([]int64{it.id}, res, err, out)
		}
		return out
	}
	for part := range slices.Chunk(items, readChunk) {
		res, err := writeAmounts(ctx, p, kind, field, adv, part)
		outcomesOf(idsOf(part), res, err, out)
	}
	return out
}

// each maps every element of in through f (the data of a batch write, the
// ids of items).
func each[S, T any](in []S, f func(S) T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func idsOf(items []planned) []int64 { return each(items, func(it planned) int64 { return it.id }) }

func writeStatus(ctx context.Context, p Platform, kind Kind, adv int64, st string, items []planned) (*oceanengine.BatchResult, error) {
	ids := idsOf(items)
	switch kind {
	case KindCampaign:
		return p.UpdateCampaignStatus(ctx, oceanengine.CampaignStatusRequest{AdvertiserID: adv, CampaignIDs: ids, OptStatus: v2Opt(st)})
	case KindAd:
		return p.UpdateAdStatus(ctx, oceanengine.AdStatusRequest{AdvertiserID: adv, AdIDs: ids, OptStatus: v2Opt(st)})
	case KindProject:
		if st == StatusDelete {
			return p.DeleteProjects(ctx, oceanengine.ProjectDeleteRequest{AdvertiserID: adv, ProjectIDs: ids})
		}
		return p.UpdateProjectStatus(ctx, oceanengine.ProjectStatusRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.ProjectStatus {
			return oceanengine.ProjectStatus{ProjectID: it.id, OptStatus: v3Opt(st)}
		})})
	case KindPromotion:
		if st == StatusDelete {
			return p.DeletePromotions(ctx, oceanengine.PromotionDeleteRequest{AdvertiserID: adv, PromotionIDs: ids})
		}
		return p.UpdatePromotionStatus(ctx, oceanengine.PromotionStatusRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.PromotionStatus {
			return oceanengine.PromotionStatus{PromotionID: it.id, OptStatus: v3Opt(st)}
		})})
	}
	return nil, fmt.Errorf("adops: unknown kind %q", kind)
}

func writeAmounts(ctx context.Context, p Platform, kind Kind, field Field, adv int64, items []planned) (*oceanengine.BatchResult, error) {
	switch {
	case kind == KindAd && field == FieldBudget:
		return p.UpdateAdBudget(ctx, oceanengine.AdBudgetRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.AdBudget {
			return oceanengine.AdBudget{AdID: it.id, Budget: money(it.want.Amount)}
		})})
	case kind == KindAd: // bid or cpa_bid: 2/ad/update/bid sets the target CPA of OCPC/OCPM ads
		return p.UpdateAdBid(ctx, oceanengine.AdBidRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.AdBid {
			return oceanengine.AdBid{AdID: it.id, Bid: money(it.want.Amount)}
		})})
	case kind == KindProject && field == FieldBudget:
		return p.UpdateProjectBudget(ctx, oceanengine.ProjectBudgetRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.ProjectBudget {
			mode, amount := budgetOf(it.want)
			return oceanengine.ProjectBudget{ProjectID: it.id, BudgetMode: mode, Budget: amount}
		})})
	case kind == KindProject:
		return p.UpdateProjectBid(ctx, oceanengine.ProjectBidRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.ProjectBid {
			return oceanengine.ProjectBid{ProjectID: it.id, CpaBid: money(it.want.Amount)}
		})})
	case kind == KindPromotion && field == FieldBudget:
		return p.UpdatePromotionBudget(ctx, oceanengine.PromotionBudgetRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.PromotionBudget {
			mode, amount := budgetOf(it.want)
			return oceanengine.PromotionBudget{PromotionID: it.id, BudgetMode: mode, Budget: amount}
		})})
	case kind == KindPromotion:
		return p.UpdatePromotionBid(ctx, oceanengine.PromotionBidRequest{AdvertiserID: adv, Data: each(items, func(it planned) oceanengine.PromotionBid {
			return oceanengine.PromotionBid{PromotionID: it.id, Bid: money(it.want.Amount)}
		})})
	}
	return nil, fmt.Errorf("adops: %s has no %s", kind, field)
}
