package sandbox

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

// rejectionOf is what a rejected e's review says: the scripted verdict
// (Sim.Review) if there is one, else the generated reason. The caller holds
// st.mu.
func (st *advState) rejectionOf(seed uint64, e *entity) verdict {
	if v, ok := st.verdicts[e.id]; ok {
		return v
	}
	r := rejectReasonOf(seed, e)
	return verdict{reasons: []string{r.text}, suggestions: []string{r.suggestion}}
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
// submission; a new entity is rejected one time in five (by its id), a
// resubmission is approved.
const (
	reviewMinSeconds = 10 * 60
	reviewMaxSeconds = 60 * 60
	firstRejectPct   = 20
)

// addRound appends a review round submitted at now.
func (e *entity) addRound(seed uint64, now int64, mayDeny bool) {
	h := h3(seed, uint64(e.id), 0x4E7+uint64(len(e.reviews)))
	delay := reviewMinSeconds + int64(h%uint64(reviewMaxSeconds-reviewMinSeconds+1))
	deny := mayDeny && (h>>32)%100 < firstRejectPct
	e.reviews = append(e.reviews, review{from: now, at: now + delay, deny: deny})
}

// submitReview starts the review of a new entity.
func (e *entity) submitReview(seed uint64, now int64) { e.addRound(seed, now, true) }

// resubmitReview reviews a change of e. A generated entity was approved when
// it was created (or was rejected or under review, as its state says; from
// now on the review rounds decide).
func (rc *reqCtx) resubmitReview(st *advState, e *entity) {
	now := rc.now.Unix()
	if len(e.reviews) == 0 {
		switch e.current(now).sys {
		case sysOK:
			e.reviews = append(e.reviews, review{from: e.created, at: e.created})
		case sysAudit, sysDeny:
			rc.change(st, e, func(ns *state) { ns.sys = sysOK })
		}
	}
	e.addRound(rc.w.seed, now, false)
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

// deniedAt reports whether e's review rejected it as of now.
func deniedAt(v view, e *entity) bool { return e.sysAt(e.current(v.now), v.now) == sysDeny }

// rejectionList answers data.list with item(e, r) for each entity of kind k
// that ids name, in order; r is e's rejection, nil when its review did not
// reject it.
func (rc *reqCtx) rejectionList(param string, k entKind, ids []int64, item func(e *entity, r *verdict) obj) (any, *apiError) {
	st := rc.st
	v := rc.newView(st)
	return st.listFor(param, k, ids, func(e *entity) obj {
		if !deniedAt(v, e) {
			return item(e, nil)
		}
		r := st.rejectionOf(v.seed, e)
		return item(e, &r)
	})
}

type adRejectReasonReq struct {
	AdIDs []int64 `oe:"ad_ids,required,maxn=100"`
}

// GET 2/ad/reject_reason: for each ad its rejection (empty when it was not
// rejected), and that of its creatives and their materials.
func (s *Sim) hAdRejectReason(rc *reqCtx, req *adRejectReasonReq) (any, *apiError) {
	return rc.rejectionList("ad_ids", entAd, req.AdIDs, func(ad *entity, r *verdict) obj {
		adData, creatives := []obj{}, []obj{}
		if r != nil {
			texts := r.v2Texts()
			for _, text := range texts {
				adData = append(adData, obj{{"reject_item", "计划"}, {"reject_reason", text}})
			}
			first := texts[0]
			for _, cr := range ad.children {
				materials := []obj{}
				for _, m := range cr.materials {
					mo := obj{{"image_id", []string{}}, {"video_id", nil}, {"title", cr.name}, {"reject_reason", first}}
					if m.kind == matVideo {
						mo[1].v = m.key
					} else {
						mo[0].v = []string{m.key}
					}
					materials = append(materials, mo)
				}
				creatives = append(creatives, obj{{"creative_id", cr.id},
					{"reject_data", []obj{{{"reject_item", "创意"}, {"reject_reason", first}}}}, {"material_reject", materials}})
			}
		}
		return obj{{"ad_reject", obj{{"ad_id", ad.id}, {"reject_data", adData}}},
			{"creative_reject", creatives}, {"material_reject", []obj{}}}
	})
}

type promotionRejectReasonReq struct {
	PromotionIDs []int64 `oe:"promotion_ids,required,maxn=10"`
	DeliveryMode string  `oe:"delivery_mode,enum=MANUAL|PROCEDURAL"`
}

// GET v3.0/promotion/reject_reason/get: for each promotion the reasons of a
// rejection (empty when it was not rejected), the promotion's and its
// materials'.
func (s *Sim) hPromotionRejectReason(rc *reqCtx, req *promotionRejectReasonReq) (any, *apiError) {
	return rc.rejectionList("promotion_ids", entPromotion, req.PromotionIDs, func(pr *entity, r *verdict) obj {
		own, materials := []obj{}, []obj{}
		if r != nil {
			own = append(own, obj{{"content", "计划"}, {"reject_reason", r.reasons}, {"suggestion", nonNil(r.suggestions)}})
			for _, m := range pr.materials {
				typ := "CREATIVE_IMAGE"
				if m.kind == matVideo {
					typ = "CREATIVE_VIDEO"
				}
				materials = append(materials, obj{{"type", typ}, {"item", m.key}, {"lego_mid", m.id}, {"audit_platform", "AD"},
					{"reject_reason", r.reasons}, {"suggestion", nonNil(r.suggestions)}})
			}
		}
		return obj{{"promotion_id", pr.id}, {"promotion_reject", own}, {"material_reject", materials}}
	})
}

// v2Texts are the reasons as v2's reject_reason strings: v2 has no
// suggestion field, so a reason's suggestion follows it in the text.
func (v verdict) v2Texts() []string {
	out := make([]string, len(v.reasons))
	for i, reason := range v.reasons {
		if i < len(v.suggestions) && v.suggestions[i] != "" {
			reason += "（建议：" + v.suggestions[i] + "）"
		}
		out[i] = reason
	}
	return out
}

// nonNil renders a nil list as [] (the platform never answers null lists).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
