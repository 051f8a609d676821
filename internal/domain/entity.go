package domain

// EntityKind is the kind of a mirrored OceanEngine entity. It is defined
// here once; the store's tables, the sync streams, report levels, ad
// operations and alerts name their entity kinds with these values.
type EntityKind string

// The entity kinds: campaign, ad and creative are the v2 API's
// (广告组, 广告计划, 创意), project and promotion the v3 API's (项目, 广告).
const (
	EntityCampaign  EntityKind = "campaign"
	EntityAd        EntityKind = "ad"
	EntityCreative  EntityKind = "creative"
	EntityProject   EntityKind = "project"
	EntityPromotion EntityKind = "promotion"
)
