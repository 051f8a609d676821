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

// review is one round of review of an ad or promotion created or changed
// through the API: submitted at from, decided at at (from plus a delay
// derived from the seed), approved unless deny. A new entity is under review
// (no delivery) until the first decision; a change to an approved one is
// reviewed while the approved version keeps delivering (REAUDIT).
type review struct {
	from, at int64
	deny     bool
}

// Review timing and outcome: decided 10 to 60 simulated minutes after
// submission; a first submission is rejected one time in five (by the
// entity's id), a resubmission is approved.
const (
	reviewMinSeconds = 10 * 60
	reviewMaxSeconds = 60 * 60
	firstRejectPct   = 20
)

// submitReview starts a review round of e at now.
func (e *entity) submitReview(seed uint64, now int64) {
	round := uint64(len(e.reviews))
	h := h3(seed, uint64(e.id), 0x4E7+round)
	delay := reviewMinSeconds + int64(h%uint64(reviewMaxSeconds-reviewMinSeconds+1))
	deny := round == 0 && (h>>32)%100 < firstRejectPct
	e.reviews = append(e.reviews, review{from: now, at: now + delay, deny: deny})
}

// sysAt is e's system status at unix time t given its state s there: the
// review rounds decide it while s itself is OK.
func (e *entity) sysAt(s state, t int64) sysStatus {
	if s.sys != sysOK || len(e.reviews) == 0 {
		return s.sys
	}
	i := len(e.reviews) - 1
	for i >= 0 && e.reviews[i].from > t {
		i--
	}
	if i < 0 {
		return sysAudit // created before its first submission: cannot happen, but never delivers
	}
	r := e.reviews[i]
	switch {
	case t >= r.at && r.deny:
		return sysDeny
	case t >= r.at:
		return sysOK
	case i > 0 && t >= e.reviews[i-1].at && !e.reviews[i-1].deny:
		return sysReaudit
	}
	return sysAudit
}

// underReview reports whether e has a review round still open at t.
func (e *entity) underReview(t int64) bool {
	return len(e.reviews) > 0 && t < e.reviews[len(e.reviews)-1].at
}
