package mirror

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Conversions from the client's wire types to mirror rows: the one place a
// platform entity becomes an oe_* row, used by the entity sync and by ad
// operations (which refresh the mirror with what they read back), so a field
// added to the mirror is converted here only. Money stays a decimal end to
// end and must have at most two decimals (the DECIMAL(18,2) columns would
// round anything finer, silently): a finer amount is an error, never a
// rounding. Platform times (Beijing) become UTC instants; a zero time is
// NULL. An entity the platform attributes to another advertiser than the one
// it was read for is refused (it would be mirrored under the wrong account).

func yuan(what string, m oceanengine.Money) (decimal.Decimal, error) {
	if _, ok := m.Fen(); !ok {
		return decimal.Decimal{}, fmt.Errorf("mirror: %s %s is not a whole number of fen", what, m.String())
	}
	return m.Decimal, nil
}

func instant(t oceanengine.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// checkOwner rejects an item the platform attributed to another advertiser
// (ours would then mirror it under the wrong account).
func checkOwner(adv int64, got oceanengine.ID, what string, id oceanengine.ID) error {
	if got != 0 && int64(got) != adv {
		return fmt.Errorf("mirror: %s %d belongs to advertiser %d, not %d", what, id, got, adv)
	}
	if id == 0 {
		return fmt.Errorf("mirror: %s without id", what)
	}
	return nil
}

// moneyFields converts several amounts at once.
func moneyFields(what string, ms ...oceanengine.Money) ([]decimal.Decimal, error) {
	out := make([]decimal.Decimal, len(ms))
	for i, m := range ms {
		d, err := yuan(what, m)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// CampaignRow converts a v2 campaign read for advertiser adv into its
// mirror row (oe_campaigns).
func CampaignRow(adv int64, c oceanengine.Campaign) (mysql.OECampaign, error) {
	if err := checkOwner(adv, c.AdvertiserID, "campaign", c.ID); err != nil {
		return mysql.OECampaign{}, err
	}
	budget, err := yuan(fmt.Sprintf("campaign %d budget", c.ID), c.Budget)
	if err != nil {
		return mysql.OECampaign{}, err
	}
	return mysql.OECampaign{
		ID: int64(c.ID), AdvertiserID: adv, Name: c.Name, Status: c.Status, BudgetMode: c.BudgetMode, Budget: budget,
		LandingType: c.LandingType, MarketingPurpose: c.MarketingPurpose,
		PlatformCreatedAt: instant(c.CampaignCreateTime), PlatformModifiedAt: instant(c.CampaignModifyTime),
	}, nil
}

// AdRow converts a v2 ad read for advertiser adv into its mirror row
// (oe_ads). Its modify time is ad_modify_time, or modify_time when the
// platform left the former out.
func AdRow(adv int64, a oceanengine.Ad) (mysql.OEAd, error) {
	if err := checkOwner(adv, a.AdvertiserID, "ad", a.ID); err != nil {
		return mysql.OEAd{}, err
	}
	m, err := moneyFields(fmt.Sprintf("ad %d", a.ID), a.Budget, a.Bid, a.CpaBid)
	if err != nil {
		return mysql.OEAd{}, err
	}
	modified := a.AdModifyTime
	if modified.IsZero() {
		modified = a.ModifyTime
	}
	return mysql.OEAd{
		ID: int64(a.ID), AdvertiserID: adv, CampaignID: int64(a.CampaignID), Name: a.Name, Status: a.Status, OptStatus: a.OptStatus,
		BudgetMode: a.BudgetMode, Budget: m[0], Pricing: a.Pricing, Bid: m[1], CpaBid: m[2],
		PlatformCreatedAt: instant(a.AdCreateTime), PlatformModifiedAt: instant(modified),
	}, nil
}

// CreativeRow converts a v2 creative read for advertiser adv into its
// mirror row (oe_creatives).
func CreativeRow(adv int64, c oceanengine.Creative) (mysql.OECreative, error) {
	if err := checkOwner(adv, c.AdvertiserID, "creative", c.CreativeID); err != nil {
		return mysql.OECreative{}, err
	}
	return mysql.OECreative{
		ID: int64(c.CreativeID), AdvertiserID: adv, AdID: int64(c.AdID), Title: c.Title, Status: c.Status, OptStatus: c.OptStatus,
		ImageMode: c.ImageMode, PlatformCreatedAt: instant(c.CreativeCreateTime), PlatformModifiedAt: instant(c.CreativeModifyTime),
	}, nil
}

// ProjectRow converts a v3 project read for advertiser adv into its mirror
// row (oe_projects); budget and target CPA come from its delivery setting.
func ProjectRow(adv int64, p oceanengine.Project) (mysql.OEProject, error) {
	if err := checkOwner(adv, p.AdvertiserID, "project", p.ProjectID); err != nil {
		return mysql.OEProject{}, err
	}
	ds := p.DeliverySetting
	m, err := moneyFields(fmt.Sprintf("project %d", p.ProjectID), ds.Budget, ds.CpaBid)
	if err != nil {
		return mysql.OEProject{}, err
	}
	return mysql.OEProject{
		ID: int64(p.ProjectID), AdvertiserID: adv, Name: p.Name, Status: p.Status, OptStatus: p.OptStatus,
		LandingType: p.LandingType, DeliveryMode: p.DeliveryMode, BudgetMode: ds.BudgetMode, Budget: m[0],
		Pricing: ds.Pricing, CpaBid: m[1],
		PlatformCreatedAt: instant(p.ProjectCreateTime), PlatformModifiedAt: instant(p.ProjectModifyTime),
	}, nil
}

// PromotionRow converts a v3 promotion read for advertiser adv into its
// mirror row (oe_promotions).
func PromotionRow(adv int64, p oceanengine.Promotion) (mysql.OEPromotion, error) {
	if err := checkOwner(adv, p.AdvertiserID, "promotion", p.PromotionID); err != nil {
		return mysql.OEPromotion{}, err
	}
	m, err := moneyFields(fmt.Sprintf("promotion %d", p.PromotionID), p.Budget, p.Bid, p.CpaBid)
	if err != nil {
		return mysql.OEPromotion{}, err
	}
	return mysql.OEPromotion{
		ID: int64(p.PromotionID), AdvertiserID: adv, ProjectID: int64(p.ProjectID), Name: p.PromotionName, Status: p.Status,
		StatusFirst: p.StatusFirst, OptStatus: p.OptStatus, BudgetMode: p.BudgetMode, Budget: m[0], Bid: m[1], CpaBid: m[2],
		LearningPhase:     p.LearningPhase,
		PlatformCreatedAt: instant(p.PromotionCreateTime), PlatformModifiedAt: instant(p.PromotionModifyTime),
	}, nil
}

// count converts a platform count, refusing negatives.
func count(what string, v oceanengine.Int) (int64, error) {
	if v < 0 {
		return 0, fmt.Errorf("mirror: negative %s %d", what, v)
	}
	return int64(v), nil
}

func zapAdv(id int64) zap.Field        { return zap.Int64("advertiser_id", id) }
func zapStream(s string) zap.Field     { return zap.String("stream", s) }
func zapInt(k string, v int) zap.Field { return zap.Int(k, v) }
