package sandbox

// v2 ad creation and update. A new ad has no creatives (the sandbox does
// not serve creative creation), so it shows AD_STATUS_CREATE and does not
// spend; its budget, bid and status take writes like any other ad.

type adCreateReq struct {
	CampaignID    int64  `oe:"campaign_id,required"`
	Name          string `oe:"name,required"`
	Operation     string `oe:"operation,enum=enable|disable"`
	DeliveryRange string `oe:"delivery_range,enum=DEFAULT|UNION|UNIVERSAL"`
	BudgetMode    string `oe:"budget_mode,required,enum=BUDGET_MODE_DAY|BUDGET_MODE_TOTAL"`
	Budget        money  `oe:"budget,required"`
	adSchedule
	Pricing string `oe:"pricing,required,enum=PRICING_OCPM|PRICING_OCPC|PRICING_CPC|PRICING_CPM|PRICING_CPA|PRICING_CPV"`
	Bid     money  `oe:"bid"`
	CpaBid  money  `oe:"cpa_bid"`
	adSettingsReq
}

// adSchedule is an ad's delivery time.
type adSchedule struct {
	ScheduleType string `oe:"schedule_type,enum=SCHEDULE_FROM_NOW|SCHEDULE_START_END"`
	StartTime    string `oe:"start_time"`
	EndTime      string `oe:"end_time"`
	ScheduleTime string `oe:"schedule_time"`
}

// adSettingsReq are the settings kept as sent.
type adSettingsReq struct {
	FlowControlMode   string `oe:"flow_control_mode,enum=FLOW_CONTROL_MODE_FAST|FLOW_CONTROL_MODE_SMOOTH|FLOW_CONTROL_MODE_BALANCE"`
	ExternalURL       string `oe:"external_url"`
	DownloadURL       string `oe:"download_url"`
	ConvertID         int64  `oe:"convert_id"`
	AudiencePackageID int64  `oe:"audience_package_id"`
}

// bidOf is the bid an ad's pricing requires: cpa_bid for conversion
// pricing, bid otherwise.
func bidOf(pricing string, bid, cpaBid money) (money, *apiError) {
	switch pricing {
	case "PRICING_OCPM", "PRICING_OCPC", "PRICING_CPA":
		if !cpaBid.set || cpaBid.fen <= 0 {
			return money{}, errParam("cpa_bid: required with %s", pricing)
		}
		return cpaBid, nil
	}
	if !bid.set || bid.fen <= 0 {
		return money{}, errParam("bid: required with %s", pricing)
	}
	return bid, nil
}

// POST 2/ad/create
func (s *Sim) hAdCreate(rc *reqCtx, req *adCreateReq) (any, *apiError) {
	st := rc.st
	now := rc.now.Unix()
	camp, err := rc.writable("campaign_id", entCampaign, req.CampaignID)
	if err != nil {
		return nil, err
	}
	if err := checkName("name", req.Name, 100); err != nil {
		return nil, err
	}
	for _, a := range st.ads {
		if a.parent == camp && a.name == req.Name && !deleted(a, now) {
			return nil, errParam("name: the campaign already has an ad named %q", req.Name)
		}
	}
	mode, _ := parseBudgetMode(req.BudgetMode)
	bid, err := bidOf(req.Pricing, req.Bid, req.CpaBid)
	if err != nil {
		return nil, err
	}
	if err := checkNewBudget("ad", mode, req.Budget, bid); err != nil {
		return nil, err
	}
	if err := req.adSchedule.check(); err != nil {
		return nil, err
	}
	ad := rc.newEntity(st, entAd, idAd, camp)
	ad.setName(req.Name)
	ad.pricing = req.Pricing
	opt := optEnable
	if req.Operation == "disable" {
		opt = optDisable
	}
	ad.states = []state{{at: now, opt: opt, mode: mode, budget: req.Budget.fen, bid: bid.fen}}
	if req.DeliveryRange != "" {
		ad.override("delivery_range", req.DeliveryRange)
	}
	ad.overrideAdSettings(req.adSchedule, req.adSettingsReq)
	st.ads = append(st.ads, ad)
	st.version++
	return obj{{"ad_id", ad.id}}, nil
}

func (sc adSchedule) check() *apiError {
	if sc.ScheduleType == "" && (sc.StartTime != "" || sc.EndTime != "") {
		return errParam("schedule_type: required with start_time and end_time")
	}
	return checkSchedule("schedule", sc.ScheduleType, sc.StartTime, sc.EndTime, sc.ScheduleTime)
}

// overrideAdSettings keeps an ad's settings as sent.
func (ad *entity) overrideAdSettings(sc adSchedule, set adSettingsReq) {
	for k, v := range map[string]string{"schedule_type": sc.ScheduleType, "start_time": sc.StartTime, "end_time": sc.EndTime,
		"schedule_time": sc.ScheduleTime, "flow_control_mode": set.FlowControlMode, "external_url": set.ExternalURL,
		"download_url": set.DownloadURL} {
		if v != "" {
			ad.override(k, v)
		}
	}
	if set.ConvertID != 0 {
		ad.override("convert_id", set.ConvertID)
	}
	if set.AudiencePackageID != 0 {
		ad.override("audience_package_id", set.AudiencePackageID)
	}
}

type adUpdateReq struct {
	AdID   int64   `oe:"ad_id,required"`
	Name   *string `oe:"name"`
	Budget money   `oe:"budget"`
	Bid    money   `oe:"bid"`
	CpaBid money   `oe:"cpa_bid"`
	adSchedule
	adSettingsReq
}

// POST 2/ad/update: name, budget and bid under the platform's rules (all or
// nothing), schedule and settings; a new landing page is reviewed again.
func (s *Sim) hAdUpdate(rc *reqCtx, req *adUpdateReq) (any, *apiError) {
	st := rc.st
	now := rc.now.Unix()
	ad, err := rc.writable("ad_id", entAd, req.AdID)
	if err != nil {
		return nil, err
	}
	if req.Name != nil {
		if err := checkName("name", *req.Name, 100); err != nil {
			return nil, err
		}
	}
	if err := req.adSchedule.check(); err != nil {
		return nil, err
	}
	cur := ad.current(now)
	v := rc.newView(st)
	if req.Budget.set && req.Budget.fen != cur.budget {
		if msg := checkBudget(v, ad, cur, cur.mode, req.Budget.fen, dayIndex(rc.now)); msg != "" {
			return nil, errParam("budget: %s", msg)
		}
	}
	bid := req.CpaBid.or(req.Bid)
	if bid.set && (bid.fen <= 0 || (cur.mode != modeInfinite && bid.fen > max(cur.budget, req.Budget.fen))) {
		return nil, errParam("bid: must be greater than 0 and not exceed the budget")
	}
	if req.Budget.set && req.Budget.fen != cur.budget {
		rc.setBudget(st, v, ad, cur.mode, req.Budget.fen)
	}
	if bid.set && bid.fen != ad.current(now).bid {
		rc.change(st, ad, func(ns *state) { ns.bid = bid.fen })
	}
	if req.Name != nil {
		ad.setName(*req.Name)
	}
	if req.ExternalURL != "" && req.ExternalURL != ad.overrides["external_url"] {
		rc.resubmitReview(st, ad)
	}
	ad.overrideAdSettings(req.adSchedule, req.adSettingsReq)
	ad.modified = max(ad.modified, now)
	st.version++
	return obj{{"ad_id", ad.id}}, nil
}
