package oceanengine

import (
	"context"
	"fmt"
	"slices"
)

// MaxRejectReasonIDs is the most ids one review-reason request takes.
const MaxRejectReasonIDs = 10

// RejectItem is one item of a review verdict.
type RejectItem struct {
	RejectItem   string `json:"reject_item"`
	RejectReason string `json:"reject_reason"`
}

// AdRejectReason is the review verdict of a v2 ad (2/ad/reject_reason):
// reasons at ad level, per creative and per material.
type AdRejectReason struct {
	AdReject *struct {
		AdID       ID           `json:"ad_id"`
		RejectData []RejectItem `json:"reject_data"`
	} `json:"ad_reject"`
	CreativeReject []struct {
		CreativeID ID           `json:"creative_id"`
		RejectData []RejectItem `json:"reject_data"`
	} `json:"creative_reject"`
	MaterialReject []struct {
		RejectReason string `json:"reject_reason"`
	} `json:"material_reject"`
}

// Reasons flattens the verdict's reasons in order, each once (the platform
// repeats an ad's reason on the creatives and materials it concerns).
func (r AdRejectReason) Reasons() []string {
	var out []string
	add := func(reason string) {
		if reason != "" && !slices.Contains(out, reason) {
			out = append(out, reason)
		}
	}
	if r.AdReject != nil {
		for _, d := range r.AdReject.RejectData {
			add(d.RejectReason)
		}
	}
	for _, c := range r.CreativeReject {
		for _, d := range c.RejectData {
			add(d.RejectReason)
		}
	}
	for _, m := range r.MaterialReject {
		add(m.RejectReason)
	}
	return out
}

type adRejectRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	AdIDs        []int64 `json:"ad_ids"`
}

// AdRejectReasons returns the review verdicts of up to MaxRejectReasonIDs
// ads (GET 2/ad/reject_reason).
func (c *Client) AdRejectReasons(ctx context.Context, advertiserID int64, adIDs []int64) ([]AdRejectReason, error) {
	return rejectReasons[AdRejectReason](ctx, c, epAdRejectReason, advertiserID, "ad", len(adIDs), adRejectRequest{advertiserID, adIDs})
}

// PromotionRejectReason is the review verdict of a v3 promotion
// (v3.0/promotion/reject_reason/get).
type PromotionRejectReason struct {
	PromotionID     ID `json:"promotion_id"`
	PromotionReject []struct {
		Content      string   `json:"content"`
		RejectReason []string `json:"reject_reason"`
		Suggestion   []string `json:"suggestion"`
	} `json:"promotion_reject"`
	MaterialReject []struct {
		Type         string   `json:"type"`
		Item         string   `json:"item"`
		RejectReason []string `json:"reject_reason"`
		Suggestion   []string `json:"suggestion"`
	} `json:"material_reject"`
}

// Reasons flattens the verdict's reasons, each once (with its suggestion
// when the platform gives one at the same position).
func (r PromotionRejectReason) Reasons() []string {
	var out []string
	add := func(reasons, suggestions []string) {
		for i, reason := range reasons {
			if i < len(suggestions) && suggestions[i] != "" {
				reason += "（建议：" + suggestions[i] + "）"
			}
			if !slices.Contains(out, reason) {
				out = append(out, reason)
			}
		}
	}
	for _, p := range r.PromotionReject {
		add(p.RejectReason, p.Suggestion)
	}
	for _, m := range r.MaterialReject {
		add(m.RejectReason, m.Suggestion)
	}
	return out
}

type promotionRejectRequest struct {
	AdvertiserID int64   `json:"advertiser_id"`
	PromotionIDs []int64 `json:"promotion_ids"`
}

// PromotionRejectReasons returns the review verdicts of up to
// MaxRejectReasonIDs promotions (GET v3.0/promotion/reject_reason/get).
func (c *Client) PromotionRejectReasons(ctx context.Context, advertiserID int64, ids []int64) ([]PromotionRejectReason, error) {
	return rejectReasons[PromotionRejectReason](ctx, c, epPromotionRejectReason, advertiserID, "promotion", len(ids),
		promotionRejectRequest{advertiserID, ids})
}

// rejectReasons reads the review verdicts of n (1 to MaxRejectReasonIDs)
// entities of one kind ("ad", "promotion") that params names.
func rejectReasons[T any](ctx context.Context, c *Client, ep endpoint, advertiserID int64, kind string, n int, params any) ([]T, error) {
	if n == 0 || n > MaxRejectReasonIDs {
		return nil, fmt.Errorf("oceanengine: 1 to %d %s ids per review-reason request, got %d", MaxRejectReasonIDs, kind, n)
	}
	return readList[T](ctx, c, call{ep: ep, acct: advertiserID, params: params})
}
