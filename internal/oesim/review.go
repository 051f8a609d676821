package oesim

// Review (审核): a new or changed ad or promotion is under review
// (AD_STATUS_AUDIT, AUDIT) until the platform approves or rejects it.
// Rejected ones (AD_STATUS_AUDIT_DENY, AUDIT_DENY) carry reasons that
// 2/ad/reject_reason and v3.0/promotion/reject_reason/get return.

// rejectReason is one reason a review gave.
type rejectReason struct {
	text       string
	suggestion string
}

var rejectReasons = []rejectReason{
	{"落地页与广告内容不符", "请确保落地页展示的商品或服务与广告素材一致"},
	{"素材含有夸大、绝对化用语", "请删除“最”“第一”“100%”等绝对化表述后重新提交"},
	{"视频素材画质模糊", "请上传清晰度不低于 720p 的视频素材"},
	{"缺少行业资质", "请在资质中心补充所推广行业的经营资质"},
	{"标题含有诱导点击内容", "请修改标题，避免“点击领取”“马上揭晓”等诱导表述"},
}

// rejectReasonOf is the reason e was rejected for (stable for a seed).
func rejectReasonOf(seed uint64, e *entity) rejectReason {
	return pickBy(seed, e.id, 0x4E1, rejectReasons)
}
