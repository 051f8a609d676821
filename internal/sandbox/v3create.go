package sandbox

// v3 project and promotion creation and update. What the sandbox simulates
// (budget, bid, schedule-free delivery, status) takes effect; the other
// settings are kept as sent and answered by the lists (entity.overrides).

type projectDeliveryRange struct {
	InventoryCatalog string   `oe:"inventory_catalog,required,enum=MANUAL|UNIVERSAL_SMART|SCENE|UNIVERSAL|UNIVERSAL_ALL"`
	InventoryType    []string `oe:"inventory_type"`
	UnionVideoType   string   `oe:"union_video_type"`
}

type projectDeliverySetting struct {
	BidType      string `oe:"bid_type,required,enum=CUSTOM|NO_BID|BIDDING|UPPER_CONTROL"`
	BudgetMode   string `oe:"budget_mode,required,enum=BUDGET_MODE_DAY|BUDGET_MODE_INFINITE|BUDGET_MODE_TOTAL"`
	Budget       money  `oe:"budget"`
	CpaBid       money  `oe:"cpa_bid"`
	Bid          money  `oe:"bid"`
	DeepBidType  string `oe:"deep_bid_type"`
	DeepCpabid   money  `oe:"deep_cpabid"`
	RoiGoal      money  `oe:"roi_goal"`
	Pricing      string `oe:"pricing,enum=PRICING_OCPM|PRICING_OCPC|PRICING_CPC|PRICING_CPM|PRICING_CPA"`
	ScheduleType string `oe:"schedule_type,required,enum=SCHEDULE_FROM_NOW|SCHEDULE_START_END"`
	StartTime    string `oe:"start_time"`
	EndTime      string `oe:"end_time"`
	ScheduleTime string `oe:"schedule_time"`
}

type projectOptimizeGoal struct {
	ExternalAction     string  `oe:"external_action"`
	DeepExternalAction string  `oe:"deep_external_action"`
	AssetIDs           []int64 `oe:"asset_ids"`
	ConvertID          int64   `oe:"convert_id"`
}

// projectCreateReq follows the SDK's ProjectCreateV30Request: ad_type,
// delivery_range, delivery_setting, landing_type, marketing_goal and name
// are required.
type projectCreateReq struct {
	AdType          string                 `oe:"ad_type,required,enum=ALL|SEARCH"`
	Name            string                 `oe:"name"`
	LandingType     string                 `oe:"landing_type,required,enum=APP|LINK|MICRO_GAME|QUICK_APP|SHOP|DPA|NATIVE_ACTION"`
	MarketingGoal   string                 `oe:"marketing_goal,required,enum=VIDEO_AND_IMAGE|LIVE"`
	DeliveryMode    string                 `oe:"delivery_mode,enum=MANUAL|PROCEDURAL"`
	DeliveryRange   projectDeliveryRange   `oe:"delivery_range,required"`
	DeliverySetting projectDeliverySetting `oe:"delivery_setting,required"`
	Operation       string                 `oe:"operation,enum=ENABLE|DISABLE"`
	OptimizeGoal    projectOptimizeGoal    `oe:"optimize_goal"`
}

// POST v3.0/project/create (the v3 API has no unique_fk: a repeated create
// makes a second project).
func (s *Sim) hProjectCreate(rc *reqCtx, req *projectCreateReq) (any, *apiError) {
	ds := &req.DeliverySetting
	if err := checkName("name", req.Name, 50); err != nil {
		return nil, err
	}
	mode, _ := parseBudgetMode(ds.BudgetMode)
	if err := checkNewBudget("delivery_setting", mode, ds.Budget, ds.CpaBid); err != nil {
		return nil, err
	}
	if err := checkSchedule("delivery_setting", ds.ScheduleType, ds.StartTime, ds.EndTime, ds.ScheduleTime); err != nil {
		return nil, err
	}
	st := rc.st
	p := rc.newEntity(st, entProject, idProject, nil)
	p.setName(req.Name)
	p.landing, p.deliveryMode, p.pricing = req.LandingType, req.DeliveryMode, ds.Pricing
	if p.deliveryMode == "" {
		p.deliveryMode = "MANUAL"
	}
	if p.pricing == "" {
		p.pricing = "PRICING_OCPM"
	}
	opt := optEnable
	if req.Operation == "DISABLE" {
		opt = optDisable
	}
	budget := ds.Budget.fen
	if mode == modeInfinite {
		budget = 0
	}
	p.states = []state{{at: rc.now.Unix(), opt: opt, mode: mode, budget: budget, bid: ds.CpaBid.fen}}
	p.override("marketing_goal", req.MarketingGoal)
	p.override("ad_type", req.AdType)
	p.overrideProjectSettings(req.DeliveryRange, ds, req.OptimizeGoal)
	st.projects = append(st.projects, p)
	st.version++
	return obj{{"project_id", p.id}}, nil
}

// checkNewBudget applies the budget rules of a new entity: a daily or
// lifetime budget of at least 300 yuan, a bid within it.
func checkNewBudget(prefix string, mode budgetMode, budget, bid money) *apiError {
	if mode != modeInfinite && budget.fen < MinDailyBudgetFen {
		return errParam("%s.budget: must be at least 300.00 yuan", prefix)
	}
	if mode != modeInfinite && bid.fen > budget.fen {
		return errParam("%s.cpa_bid: must not exceed the budget", prefix)
	}
	return nil
}

// checkSchedule checks a schedule: start and end times with
// SCHEDULE_START_END ("yyyy-MM-dd HH:mm"), schedule_time 336 characters of
// 0 and 1 (half hours of a week) when set.
func checkSchedule(prefix, scheduleType, start, end, scheduleTime string) *apiError {
	if scheduleType == "SCHEDULE_START_END" {
		if _, ok := parseMinute(start); !ok {
			return errParam("%s.start_time: required with SCHEDULE_START_END, format yyyy-MM-dd HH:mm", prefix)
		}
		if _, ok := parseMinute(end); !ok {
			return errParam("%s.end_time: required with SCHEDULE_START_END, format yyyy-MM-dd HH:mm", prefix)
		}
	}
	if scheduleTime != "" {
		if len(scheduleTime) != 336 || len(stripBits(scheduleTime)) != 0 {
			return errParam("%s.schedule_time: must be 336 characters of 0 and 1", prefix)
		}
	}
	return nil
}

func stripBits(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '0' && s[i] != '1' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// overrideProjectSettings keeps a project's settings as sent.
func (p *entity) overrideProjectSettings(dr projectDeliveryRange, ds *projectDeliverySetting, og projectOptimizeGoal) {
	inv := dr.InventoryType
	if inv == nil {
		inv = []string{}
	}
	var union any
	if dr.UnionVideoType != "" {
		union = dr.UnionVideoType
	}
	p.override("delivery_range", obj{{"inventory_catalog", dr.InventoryCatalog}, {"inventory_type", inv}, {"union_video_type", union}})
	p.override("delivery_setting.bid_type", ds.BidType)
	p.override("delivery_setting.schedule_type", ds.ScheduleType)
	p.override("delivery_setting.start_time", nullIfEmpty(ds.StartTime))
	p.override("delivery_setting.end_time", nullIfEmpty(ds.EndTime))
	p.override("delivery_setting.schedule_time", nullIfEmpty(ds.ScheduleTime))
	if ds.DeepBidType != "" {
		p.override("delivery_setting.deep_bid_type", ds.DeepBidType)
	}
	if ds.DeepCpabid.set {
		p.override("delivery_setting.deep_cpabid", yuan(ds.DeepCpabid.fen))
	}
	if ds.RoiGoal.set {
		p.override("delivery_setting.roi_goal", yuan(ds.RoiGoal.fen))
	}
	if ds.Bid.set {
		p.override("delivery_setting.bid", yuan(ds.Bid.fen))
	}
	if og.ExternalAction != "" {
		ids := og.AssetIDs
		if ids == nil {
			ids = []int64{}
		}
		var conv any
		if og.ConvertID != 0 {
			conv = og.ConvertID
		}
		p.override("optimize_goal", obj{{"external_action", og.ExternalAction}, {"deep_external_action", nullIfEmpty(og.DeepExternalAction)},
			{"asset_ids", ids}, {"convert_id", conv}})
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
