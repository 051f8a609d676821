package sandbox

import (
	"time"
)

// World is a read-only view of the sandbox's accounts and entities for tests.
// It reflects the world current when Sim.World was called (Reset replaces it).
type World struct {
	s *Sim
	w *world
}

// World returns a view of the current world.
func (s *Sim) World() *World { return &World{s: s, w: s.world.Load()} }

func ids(as []*Account) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// Advertisers returns the leaf advertiser ids in generation order.
func (w *World) Advertisers() []int64 { return ids(w.w.leaves) }

// Majordomos returns the majordomo (管家, CUSTOMER_ADMIN) account ids.
func (w *World) Majordomos() []int64 { return ids(w.w.majors) }

// Agents returns the agent account ids.
func (w *World) Agents() []int64 { return ids(w.w.agents) }

// TopLevel returns the accounts the authorise page offers: majordomos,
// agents and standalone advertisers. Authorize(nil) grants all of them.
func (w *World) TopLevel() []int64 { return ids(w.w.top) }

// Account returns one account by id, its funds as of the simulated now.
func (w *World) Account(id int64) (Account, bool) {
	a := w.w.byID[id]
	if a == nil {
		return Account{}, false
	}
	c := *a
	c.Children = w.w.childrenOf(a)
	f := w.w.fundsAt(a, w.s.clock.Now())
	c.BalanceFen, c.CashFen, c.GrantFen = f.balance, f.cash, f.grant
	return c, true
}

// AdvertiserBudget returns a leaf advertiser's own daily budget in force at
// the simulated now: its amount in fen and true, or 0 and false without a
// limit (ok false: not a leaf advertiser).
func (w *World) AdvertiserBudget(id int64) (fen int64, day, ok bool) {
	st, ok := w.w.adv(id)
	if !ok {
		return 0, false, false
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	fen, day = st.budgetAt(w.s.clock.Now().Unix())
	return fen, day, true
}

// Entity is a snapshot of a campaign, ad, creative, project or promotion.
type Entity struct {
	ID           int64
	Kind         string // campaign, ad, creative, project, promotion
	Name         string
	AdvertiserID int64
	ParentID     int64 // campaign of an ad, ad of a creative, project of a promotion
	Status       string
	OptStatus    string // ENABLE, DISABLE or DELETE (the entity's own switch)
	BudgetMode   string
	BudgetFen    int64
	BidFen       int64
	Pricing      string
	CreateTime   time.Time
	ModifyTime   time.Time
}

// wireEntity is how GET /_sim/world shows an entity: statuses spelled as
// the platform's get endpoints spell them.
type wireEntity struct {
	ID           int64    `json:"id"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	AdvertiserID int64    `json:"advertiser_id"`
	ParentID     int64    `json:"parent_id,omitempty"`
	Status       string   `json:"status"`
	StatusFirst  string   `json:"status_first,omitempty"`
	StatusSecond []string `json:"status_second,omitempty"`
	// OptStatus is the entity's own switch as its get endpoint shows it
	// (campaigns have none on the platform: their ENABLE/DISABLE status).
	OptStatus  string `json:"opt_status"`
	BudgetMode string `json:"budget_mode"`
	BudgetFen  int64  `json:"budget_fen"`
	BidFen     int64  `json:"bid_fen"`
	Pricing    string `json:"pricing,omitempty"`
	CreateTime string `json:"create_time"`
	ModifyTime string `json:"modify_time"`
}

// optNames spells the enable and disable switch per kind.
var optNames = [...][2]string{
	entCampaign:  {"CAMPAIGN_STATUS_ENABLE", "CAMPAIGN_STATUS_DISABLE"},
	entAd:        {"AD_STATUS_ENABLE", "AD_STATUS_DISABLE"},
	entCreative:  {"CREATIVE_STATUS_ENABLE", "CREATIVE_STATUS_DISABLE"},
	entProject:   {"ENABLE", "DISABLE"},
	entPromotion: {"ENABLE", "DISABLE"},
}

func (w *World) entities(adv int64, pick func(*advState) []*entity) []Entity {
	var out []Entity
	w.each(adv, pick, func(x Entity, _ wireEntity) { out = append(out, x) })
	return out
}

// each snapshots the entities pick chooses under the advertiser's lock.
func (w *World) each(adv int64, pick func(*advState) []*entity, f func(Entity, wireEntity)) {
	st, ok := w.w.adv(adv)
	if !ok {
		return
	}
	now := w.s.clock.Now()
	st.mu.RLock()
	defer st.mu.RUnlock()
	v := w.w.view(st, now)
	for _, e := range pick(st) {
		f(snapshot(v, adv, e))
	}
}

// wireEntities is the entities of one advertiser as GET /_sim/world shows
// them, by kind.
func (w *World) wireEntities(adv int64) map[string][]wireEntity {
	out := map[string][]wireEntity{}
	add := func(key string, pick func(*advState) []*entity) {
		list := []wireEntity{}
		w.each(adv, pick, func(_ Entity, x wireEntity) { list = append(list, x) })
		out[key] = list
	}
	add("campaigns", campaignList.of)
	add("ads", adList.of)
	add("creatives", creativeList.of)
	add("projects", projectList.of)
	add("promotions", promotionList.of)
	return out
}

func snapshot(v view, adv int64, e *entity) (Entity, wireEntity) {
	s := e.current(v.now)
	x := Entity{ID: e.id, Kind: e.kind.String(), Name: e.name, AdvertiserID: adv, BudgetMode: s.mode.String(),
		BudgetFen: s.budget, BidFen: s.bid, Pricing: e.pricing,
		CreateTime: time.Unix(e.created, 0).In(beijing), ModifyTime: time.Unix(e.modified, 0).In(beijing)}
	x.OptStatus = [...]string{"ENABLE", "DISABLE", "DELETE"}[s.opt]
	if e.parent != nil {
		x.ParentID = e.parent.id
	}
	var first string
	var second []string
	switch e.kind {
	case entCampaign:
		x.Status = campaignStatus(v, e)
	case entAd:
		x.Status = adStatus(v, e)
	case entCreative:
		x.Status = creativeStatus(v, e)
	case entProject:
		ts := topStateOf(v, e)
		x.Status, first, second = projectStatusNames[ts], projectFirstNames[ts], secondList(projectSecondNames[ts])
	case entPromotion:
		us := unitStateOf(v, e)
		x.Status, first, second = promotionStatusNames[us], promotionFirstNames[us], secondList(promotionSecondNames[us])
	}
	names := optNames[e.kind]
	return x, wireEntity{ID: x.ID, Kind: x.Kind, Name: x.Name, AdvertiserID: adv, ParentID: x.ParentID,
		Status: x.Status, StatusFirst: first, StatusSecond: second, OptStatus: optName(s, names[0], names[1]),
		BudgetMode: x.BudgetMode, BudgetFen: x.BudgetFen, BidFen: x.BidFen, Pricing: x.Pricing,
		CreateTime: fmtTime(e.created), ModifyTime: fmtTime(e.modified)}
}

// Campaigns returns the v2 campaigns of a leaf advertiser.
func (w *World) Campaigns(adv int64) []Entity {
	return w.entities(adv, campaignList.of)
}

// Ads returns the v2 ads of a leaf advertiser.
func (w *World) Ads(adv int64) []Entity {
	return w.entities(adv, adList.of)
}

// Creatives returns the v2 creatives of a leaf advertiser.
func (w *World) Creatives(adv int64) []Entity {
	return w.entities(adv, creativeList.of)
}

// Projects returns the v3 projects of a leaf advertiser.
func (w *World) Projects(adv int64) []Entity {
	return w.entities(adv, projectList.of)
}

// Promotions returns the v3 promotions of a leaf advertiser.
func (w *World) Promotions(adv int64) []Entity {
	return w.entities(adv, promotionList.of)
}

// Entities returns the entities of one kind ("campaign", "ad", "creative",
// "project" or "promotion") of a leaf advertiser; none for another kind.
func (w *World) Entities(kind string, adv int64) []Entity {
	switch kind {
	case "campaign":
		return w.Campaigns(adv)
	case "ad":
		return w.Ads(adv)
	case "creative":
		return w.Creatives(adv)
	case "project":
		return w.Projects(adv)
	case "promotion":
		return w.Promotions(adv)
	}
	return nil
}

// Material is a snapshot of an image or video of an advertiser's library.
type Material struct {
	ID         int64  // material_id
	Kind       string // image or video
	Key        string // image_id or video_id
	Signature  string // md5 of the file
	Width      int
	Height     int
	Size       int64
	Format     string
	Filename   string
	CreateTime time.Time
}

// Materials returns the material library of a leaf advertiser.
func (w *World) Materials(adv int64) []Material {
	st, ok := w.w.adv(adv)
	if !ok {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]Material, 0, len(st.materials))
	for _, m := range st.materials {
		kind := "image"
		if m.kind == matVideo {
			kind = "video"
		}
		out = append(out, Material{ID: m.id, Kind: kind, Key: m.key, Signature: m.signature, Width: m.width, Height: m.height,
			Size: m.size, Format: m.format, Filename: m.filename, CreateTime: time.Unix(m.created, 0).In(beijing)})
	}
	return out
}
