package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The /_sim/ API is the sandbox's own control surface (not part of the
// platform's API): plain JSON with truthful HTTP statuses.

func (s *Sim) buildMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/", s.handleIndex)
	m.HandleFunc("/audit/oauth.html", s.handleAuthorize)
	m.HandleFunc("GET /_sim/{$}", s.simIndex)
	m.HandleFunc("POST /_sim/reset", s.simReset)
	m.HandleFunc("GET /_sim/clock", s.simClockGet)
	m.HandleFunc("POST /_sim/clock", s.simClockSet)
	m.HandleFunc("GET /_sim/faults", s.simFaultsGet)
	m.HandleFunc("POST /_sim/faults", s.simFaultsSet)
	m.HandleFunc("DELETE /_sim/faults", s.simFaultsClear)
	m.HandleFunc("POST /_sim/revoke", s.simRevoke)
	m.HandleFunc("GET /_sim/stats", s.simStatsGet)
	m.HandleFunc("DELETE /_sim/stats", s.simStatsReset)
	m.HandleFunc("GET /_sim/truth", s.simTruth)
	m.HandleFunc("GET /_sim/world", s.simWorld)
	m.HandleFunc("POST /_sim/authorize", s.simAuthorize)
	m.HandleFunc("GET /_sim/callback", s.handleCallback)
	s.scenarioRoutes(m)
	return m
}

func simJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func simError(w http.ResponseWriter, status int, msg string) {
	simJSON(w, status, map[string]string{"error": msg})
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Sim) simIndex(w http.ResponseWriter, r *http.Request) {
	eps := s.Endpoints()
	keys := make([]string, 0, len(eps))
	for k := range eps {
		keys = append(keys, eps[k]+" /open_api/"+k+"/")
	}
	sort.Strings(keys)
	simJSON(w, http.StatusOK, map[string]any{
		"sim": []string{
			"POST /_sim/reset", "GET|POST /_sim/clock", "GET|POST|DELETE /_sim/faults", "POST /_sim/revoke",
			"GET|DELETE /_sim/stats", "GET /_sim/truth", "GET /_sim/world", "POST /_sim/authorize",
			"POST /_sim/funds", "POST /_sim/budget", "POST /_sim/performance", "POST /_sim/review", "POST /_sim/expire_tokens",
			"POST /_sim/inbox/{name}", "GET /_sim/inbox",
		},
		"endpoints": keys,
		"app_id":    s.opts.AppID,
	})
}

func (s *Sim) simReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	simJSON(w, http.StatusOK, map[string]any{"ok": true, "now": s.clock.Now().In(beijing).Format(time.RFC3339)})
}

func (s *Sim) clockJSON() map[string]any {
	now := s.clock.Now()
	return map[string]any{"now": now.In(beijing).Format(time.RFC3339), "beijing": now.In(beijing).Format(layoutDateTime),
		"unix": now.Unix(), "speed": s.clock.Speed()}
}

func (s *Sim) simClockGet(w http.ResponseWriter, r *http.Request) {
	simJSON(w, http.StatusOK, s.clockJSON())
}

// POST /_sim/clock {"now":"2025-06-20T10:00:00+08:00"} | {"advance":"36h"} | {"speed":60}
func (s *Sim) simClockSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Now     string   `json:"now"`
		Advance string   `json:"advance"`
		Speed   *float64 `json:"speed"`
	}
	if err := decodeBody(r, &req); err != nil {
		simError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if req.Now != "" {
		t, err := time.Parse(time.RFC3339, req.Now)
		if err != nil {
			var ok bool
			if t, ok = parseDateTime(req.Now); !ok {
				simError(w, http.StatusBadRequest, "now: use RFC 3339 or yyyy-MM-dd HH:mm:ss (Beijing)")
				return
			}
		}
		s.clock.Set(t)
	}
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			simError(w, http.StatusBadRequest, "advance: "+err.Error())
			return
		}
		s.clock.Advance(d)
	}
	if req.Speed != nil {
		if *req.Speed < 0 {
			simError(w, http.StatusBadRequest, "speed must not be negative")
			return
		}
		s.clock.SetSpeed(*req.Speed)
	}
	simJSON(w, http.StatusOK, s.clockJSON())
}

func faultOut(f Fault) FaultSpec {
	out := FaultSpec{Fault: f}
	if f.Latency > 0 {
		out.Latency = f.Latency.String()
	}
	return out
}

func (s *Sim) simFaultsGet(w http.ResponseWriter, r *http.Request) {
	out := map[string]FaultSpec{}
	for k, f := range s.faults.Snapshot() {
		out[k] = faultOut(f)
	}
	simJSON(w, http.StatusOK, out)
}

// POST /_sim/faults {"endpoint":"2/report/ad/get","fault":{"error_rate":0.2,"latency":"300ms","count":5,"advertiser_ids":[ID]}}
func (s *Sim) simFaultsSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Endpoint string    `json:"endpoint"`
		Fault    FaultSpec `json:"fault"`
	}
	if err := decodeBody(r, &req); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && strings.HasSuffix(te.Field, "advertiser_ids") {
			simError(w, http.StatusBadRequest, "fault.advertiser_ids must be a JSON array of integer account ids, got "+te.Value)
			return
		}
		simError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	ep, f, err := s.InstallFault(req.Endpoint, req.Fault)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	simJSON(w, http.StatusOK, map[string]any{"endpoint": ep, "fault": faultOut(f)})
}

// DELETE /_sim/faults[?endpoint=KEY]
func (s *Sim) simFaultsClear(w http.ResponseWriter, r *http.Request) {
	if ep := r.URL.Query().Get("endpoint"); ep != "" {
		s.faults.Clear(ep)
	} else {
		s.faults.ClearAll()
	}
	simJSON(w, http.StatusOK, map[string]any{"ok": true, "remaining": s.faults.keys()})
}

func (s *Sim) simRevoke(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID `json:"advertiser_id"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 {
		simError(w, http.StatusBadRequest, "body must be {\"advertiser_id\": ID}")
		return
	}
	n := s.faults.RevokeAdvertiser(int64(req.AdvertiserID))
	simJSON(w, http.StatusOK, map[string]any{"revoked_grants": n})
}

func (s *Sim) simStatsGet(w http.ResponseWriter, r *http.Request) {
	snap := s.stats.Snapshot()
	out := map[string]map[string]int{}
	total := 0
	for ep, byCode := range snap {
		m := map[string]int{}
		for c, n := range byCode {
			m[strconv.Itoa(c)] = n
			total += n
		}
		out[ep] = m
	}
	simJSON(w, http.StatusOK, map[string]any{"total": total, "endpoints": out})
}

func (s *Sim) simStatsReset(w http.ResponseWriter, r *http.Request) {
	s.stats.Reset()
	simJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// GET /_sim/truth?advertiser_id=&level=&ids=1,2&start_date=&end_date=&granularity=day|hour|total&final=1&as_of=RFC3339
func (s *Sim) simTruth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	adv, err := strconv.ParseInt(q.Get("advertiser_id"), 10, 64)
	if err != nil {
		simError(w, http.StatusBadRequest, "advertiser_id is required")
		return
	}
	tq := TruthQuery{AdvertiserID: adv, Level: q.Get("level"), StartDate: q.Get("start_date"), EndDate: q.Get("end_date"),
		Granularity: q.Get("granularity"), Final: q.Get("final") == "1" || q.Get("final") == "true"}
	if tq.StartDate == "" {
		today := s.clock.Now().In(beijing).Format(layoutDate)
		tq.StartDate, tq.EndDate = today, today
	}
	if tq.EndDate == "" {
		tq.EndDate = tq.StartDate
	}
	if v := q.Get("ids"); v != "" {
		for _, p := range strings.Split(strings.Trim(v, "[]"), ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil {
				simError(w, http.StatusBadRequest, "ids must be comma-separated integers")
				return
			}
			tq.IDs = append(tq.IDs, id)
		}
	}
	if v := q.Get("as_of"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			simError(w, http.StatusBadRequest, "as_of must be RFC 3339")
			return
		}
		tq.AsOf = t
	}
	res, err := s.Truth(tq)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	type row struct {
		StatDatetime string `json:"stat_datetime,omitempty"`
		ID           int64  `json:"id"`
		CostFen      int64  `json:"cost_fen"`
		Cost         string `json:"cost"`
		Show         int64  `json:"show"`
		Click        int64  `json:"click"`
		Convert      int64  `json:"convert"`
		DeepConvert  int64  `json:"deep_convert"`
	}
	conv := func(t TruthRow) row {
		return row{t.Time, t.ID, t.CostFen, t.Cost, t.Show, t.Click, t.Convert, t.DeepConvert}
	}
	rows := make([]row, len(res.Rows))
	for i, t := range res.Rows {
		rows[i] = conv(t)
	}
	total := conv(res.Total)
	total.ID = adv
	simJSON(w, http.StatusOK, map[string]any{"as_of": res.AsOf.In(beijing).Format(time.RFC3339), "rows": rows, "total": total})
}

// GET /_sim/world[?advertiser_id=ID]
func (s *Sim) simWorld(w http.ResponseWriter, r *http.Request) {
	wv := s.World()
	if v := r.URL.Query().Get("advertiser_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			simError(w, http.StatusBadRequest, "advertiser_id must be an integer")
			return
		}
		if _, ok := wv.w.adv(id); !ok {
			simError(w, http.StatusNotFound, "not a leaf advertiser")
			return
		}
		simJSON(w, http.StatusOK, wv.wireEntities(id))
		return
	}
	type acct struct {
		ID       int64   `json:"id"`
		Name     string  `json:"name"`
		Role     string  `json:"role"`
		Company  string  `json:"company"`
		ParentID int64   `json:"parent_id,omitempty"`
		Children []int64 `json:"children,omitempty"`
		// Detached: the account has left its parent (POST /_sim/detach).
		Detached bool `json:"detached,omitempty"`
	}
	var accts []acct
	for _, a := range wv.w.accts {
		accts = append(accts, acct{a.ID, a.Name, a.Role, a.Company, a.ParentID, wv.w.childrenOf(a), wv.w.members.has(a.ID)})
	}
	simJSON(w, http.StatusOK, map[string]any{"app_id": s.opts.AppID, "top_level": wv.TopLevel(), "advertisers": wv.Advertisers(),
		"majordomos": wv.Majordomos(), "agents": wv.Agents(), "accounts": accts})
}

// POST /_sim/authorize {"advertiser_ids":[...], "user":"name"} (omit the ids
// for every top-level account, the user for the demo user)
func (s *Sim) simAuthorize(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserIDs []flexID `json:"advertiser_ids"`
		User          string   `json:"user"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &req); err != nil {
			simError(w, http.StatusBadRequest, "body: "+err.Error())
			return
		}
	}
	var ids []int64
	if len(req.AdvertiserIDs) > 0 {
		ids = idsOf(req.AdvertiserIDs)
	}
	code, err := s.AuthorizeAs(req.User, ids)
	if err != nil {
		simError(w, http.StatusBadRequest, err.Error())
		return
	}
	simJSON(w, http.StatusOK, map[string]any{"auth_code": code, "expires_in": int(AuthCodeTTL.Seconds())})
}
