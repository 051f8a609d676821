package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Scripted business events, for alert scenarios and demos: fund transfers
// (a balance drained or topped up), performance shifts (a CPA spike as the
// conversion rate collapses, a CTR drop), review verdicts with reasons,
// and expired tokens. Each is a Go method on Sim and a /_sim/ control; the
// platform's review-reason endpoints serve the verdicts.

// ---- funds ----

// fundAdjust moves an advertiser's balance by fen from the hour of its
// simulated time on (a write applies to the whole hour in which it happens).
type fundAdjust struct {
	hour int64
	fen  int64
}

// fundEvents are an advertiser's transfers in and out, in time order.
type fundEvents []fundAdjust

// through sums the transfers made in hours up to and including h.
func (f fundEvents) through(h int64) int64 {
	var sum int64
	for _, a := range f {
		if a.hour <= h {
			sum += a.fen
		}
	}
	return sum
}

// balanceAt is st's balance at now: its start balance, plus transfers, less
// the spend of complete hours since the start. The caller holds st.mu.
func (w *world) balanceAt(st *advState, now time.Time) int64 {
	return st.acct.StartBalanceFen + st.funds.through(hourIndex(now)) - w.spentSinceStart(st, now)
}

// ErrNotLeaf is returned for accounts without ads (majordomo, agent) or
// unknown ids.
var ErrNotLeaf = errors.New("oesim: not a leaf advertiser of the world")

// AdjustFunds transfers deltaFen into (positive) or out of (negative) an
// advertiser's balance at the simulated now and returns the new balance in
// fen. A transfer out may not exceed the balance.
func (s *Sim) AdjustFunds(advertiserID, deltaFen int64) (int64, error) {
	w, st, err := s.lockAdv(advertiserID)
	if err != nil {
		return 0, err
	}
	defer st.mu.Unlock()
	now := s.clock.Now()
	bal := w.balanceAt(st, now)
	if bal+deltaFen < 0 {
		return bal, fmt.Errorf("oesim: the balance is %s yuan; a transfer out of %s yuan would overdraw it", fenText(bal), fenText(-deltaFen))
	}
	st.funds = append(st.funds, fundAdjust{hour: hourIndex(now), fen: deltaFen})
	st.version++
	return w.balanceAt(st, now), nil
}

// lockAdv returns the current world and a leaf advertiser's state, locked
// for writing (the caller unlocks st.mu); ErrNotLeaf for another id.
func (s *Sim) lockAdv(advertiserID int64) (*world, *advState, error) {
	w := s.world.Load()
	st, ok := w.adv(advertiserID)
	if !ok {
		return nil, nil, ErrNotLeaf
	}
	st.mu.Lock()
	return w, st, nil
}

// SetBalance transfers whatever makes an advertiser's balance balanceFen
// now, and returns the transfer in fen.
func (s *Sim) SetBalance(advertiserID, balanceFen int64) (int64, error) {
	if balanceFen < 0 {
		return 0, errors.New("oesim: a balance cannot be negative")
	}
	w := s.world.Load()
	st, ok := w.adv(advertiserID)
	if !ok {
		return 0, ErrNotLeaf
	}
	st.mu.RLock()
	bal := w.balanceAt(st, s.clock.Now())
	st.mu.RUnlock()
	_, err := s.AdjustFunds(advertiserID, balanceFen-bal)
	return balanceFen - bal, err
}

// SetAdvertiserBudget makes an advertiser's own daily budget budgetFen, or
// unlimited (!day), as one set in the platform's console would be: outside
// the API, by the same rules.
func (s *Sim) SetAdvertiserBudget(advertiserID int64, day bool, budgetFen int64) error {
	w, st, err := s.lockAdv(advertiserID)
	if err != nil {
		return err
	}
	defer st.mu.Unlock()
	if msg := w.setBudget(st, s.clock.Now(), day, budgetFen); msg != "" {
		return errors.New("oesim: the budget " + msg)
	}
	return nil
}

// ---- performance ----

// perfShift scales an ad's or promotion's click-through and conversion
// rates (per mille) from hour `from` on; the latest shift wins.
type perfShift struct {
	from     int64
	ctr, cvr int64
}

// perfAt returns the per-mille factors of click-through and conversion
// rate in hour h (1000, 1000 without a shift).
func (e *entity) perfAt(h int64) (ctr, cvr int64) {
	ctr, cvr = 1000, 1000
	for _, p := range e.shifts {
		if p.from <= h {
			ctr, cvr = p.ctr, p.cvr
		}
	}
	return ctr, cvr
}

// ShiftPerformance scales the click-through rate and the conversion rate of
// ads or promotions of an advertiser from the current simulated hour on: a
// conversion factor of 0.2 makes each conversion cost about five times as
// much (a CPA spike); factors of 1 restore normal delivery. Factors are
// rounded to per mille, between 0 and 10.
func (s *Sim) ShiftPerformance(advertiserID int64, ids []int64, ctrFactor, cvrFactor float64) error {
	if ctrFactor < 0 || ctrFactor > 10 || cvrFactor < 0 || cvrFactor > 10 {
		return errors.New("oesim: factors must be between 0 and 10")
	}
	_, st, err := s.lockAdv(advertiserID)
	if err != nil {
		return err
	}
	defer st.mu.Unlock()
	var targets []*entity
	for _, id := range ids {
		e := st.byID[id]
		if e == nil || (e.kind != entAd && e.kind != entPromotion) {
			return fmt.Errorf("oesim: %d is not an ad or promotion of advertiser %d", id, advertiserID)
		}
		targets = append(targets, e)
	}
	h := hourIndex(s.clock.Now())
	p := perfShift{from: h, ctr: int64(ctrFactor*1000 + 0.5), cvr: int64(cvrFactor*1000 + 0.5)}
	for _, e := range targets {
		i := sort.Search(len(e.shifts), func(i int) bool { return e.shifts[i].from > h })
		e.shifts = slices.Insert(e.shifts, i, p)
	}
	st.version++
	return nil
}

// ---- review ----

// verdict is a scripted review verdict: the reasons and suggestions of a
// rejection. Entities rejected by the review rounds (review.go) without a
// scripted verdict give a generated reason (rejectReasonOf).
type verdict struct {
	reasons     []string
	suggestions []string
}

// Review rejects (approve false: with reasons) or approves an ad or a
// promotion of an advertiser at the simulated now, as the platform's
// review would: a rejected entity stops delivering with status
// AD_STATUS_AUDIT_DENY (AUDIT_DENY for promotions) and its reasons are
// served by 2/ad/reject_reason and v3.0/promotion/reject_reason/get.
func (s *Sim) Review(advertiserID, id int64, approve bool, reasons, suggestions []string) error {
	w := s.world.Load()
	st, ok := w.adv(advertiserID)
	if !ok {
		return ErrNotLeaf
	}
	if !approve && len(reasons) == 0 {
		return errors.New("oesim: a rejection needs at least one reason")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	e := st.byID[id]
	if e == nil || (e.kind != entAd && e.kind != entPromotion) {
		return fmt.Errorf("oesim: %d is not an ad or promotion of advertiser %d", id, advertiserID)
	}
	now := s.clock.Now().Unix()
	ns := e.current(now)
	ns.at = now
	if approve {
		ns.sys = sysOK
		delete(st.verdicts, id)
		if len(e.reviews) > 0 {
			// An approval now also closes the open or denying review round.
			e.reviews = append(e.reviews, review{from: now, at: now})
		}
	} else {
		ns.sys = sysDeny
		if st.verdicts == nil {
			st.verdicts = map[int64]verdict{}
		}
		st.verdicts[id] = verdict{reasons: slices.Clone(reasons), suggestions: slices.Clone(suggestions)}
	}
	e.push(ns)
	st.version++
	return nil
}

// ---- tokens ----

// ExpireTokens makes the access and refresh tokens of every live grant
// covering an account expire now: the next refresh answers 40103 and the
// grant needs a person to authorise again. It returns the token pairs
// expired.
func (s *Sim) ExpireTokens(accountID int64) int {
	now := s.clock.Now()
	return s.strikeGrants(accountID, func(a *authStore, struck func(*grant) bool) int {
		n := 0
		for _, tp := range a.refresh {
			if !tp.refreshUsed && struck(tp.g) && now.Before(tp.refreshExp) {
				tp.refreshExp, tp.accessExp = now, now
				n++
			}
		}
		return n
	})
}

// ---- /_sim controls ----

func (s *Sim) scenarioRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /_sim/funds", s.simFunds)
	m.HandleFunc("POST /_sim/budget", s.simBudget)
	m.HandleFunc("POST /_sim/performance", s.simPerformance)
	m.HandleFunc("POST /_sim/review", s.simReview)
	m.HandleFunc("POST /_sim/expire_tokens", s.simExpireTokens)
	m.HandleFunc("POST /_sim/detach", s.simMembership(true))
	m.HandleFunc("POST /_sim/attach", s.simMembership(false))
	m.HandleFunc("POST /_sim/inbox/{name}", s.simInboxPost)
	m.HandleFunc("GET /_sim/inbox", s.simInboxGet)
}

// ---- inbox ----

// inboxSize is how many posted requests the inbox keeps.
const inboxSize = 100

// inbox keeps the last requests posted to /_sim/inbox/{name}: a webhook
// receiver for demos (an alert channel pointed at the sandbox), not part
// of the platform.
type inbox struct {
	mu   sync.Mutex
	seq  int
	msgs []inboxMessage
}

type inboxMessage struct {
	Seq        int               `json:"seq"`
	Name       string            `json:"name"`
	ReceivedAt string            `json:"received_at"`
	Headers    map[string]string `json:"headers"`
	Body       json.RawMessage   `json:"body"`
}

// POST /_sim/inbox/{name}: record the request (JSON body, at most 1 MiB).
func (s *Sim) simInboxPost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil || !json.Valid(body) {
		simError(w, http.StatusBadRequest, "body must be JSON of at most 1 MiB")
		return
	}
	h := map[string]string{}
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "x-") || k == "Content-Type" || k == "User-Agent" {
			h[k] = r.Header.Get(k)
		}
	}
	s.inbox.mu.Lock()
	s.inbox.seq++
	m := inboxMessage{Seq: s.inbox.seq, Name: r.PathValue("name"), ReceivedAt: time.Now().UTC().Format(time.RFC3339), Headers: h, Body: body}
	s.inbox.msgs = append(s.inbox.msgs, m)
	if n := len(s.inbox.msgs); n > inboxSize {
		s.inbox.msgs = slices.Clone(s.inbox.msgs[n-inboxSize:])
	}
	s.inbox.mu.Unlock()
	simJSON(w, http.StatusOK, map[string]any{"ok": true, "seq": m.Seq})
}

// GET /_sim/inbox[?name=NAME]: the recorded requests, oldest first.
func (s *Sim) simInboxGet(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	s.inbox.mu.Lock()
	out := make([]inboxMessage, 0, len(s.inbox.msgs))
	for _, m := range s.inbox.msgs {
		if name == "" || m.Name == name {
			out = append(out, m)
		}
	}
	s.inbox.mu.Unlock()
	simJSON(w, http.StatusOK, out)
}

// POST /_sim/funds {"advertiser_id": ID, "amount": "-1000.00"} (transfer in
// or out) or {"advertiser_id": ID, "balance": "100.00"} (set it).
func (s *Sim) simFunds(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID `json:"advertiser_id"`
		Amount       *money `json:"amount"`
		Balance      *money `json:"balance"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 || (req.Amount == nil) == (req.Balance == nil) {
		simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID, "amount": "±yuan"} or {"advertiser_id": ID, "balance": "yuan"}`)
		return
	}
	var err error
	if req.Balance != nil {
		_, err = s.SetBalance(int64(req.AdvertiserID), req.Balance.fen)
	} else {
		_, err = s.AdjustFunds(int64(req.AdvertiserID), req.Amount.fen)
	}
	if err != nil {
		simScenarioError(w, err)
		return
	}
	a, _ := s.World().Account(int64(req.AdvertiserID))
	simJSON(w, http.StatusOK, map[string]any{"advertiser_id": a.ID, "balance": fenText(a.BalanceFen), "cash": fenText(a.CashFen), "grant": fenText(a.GrantFen)})
}

// POST /_sim/budget {"advertiser_id": ID, "budget": "3000.00"} or
// {"advertiser_id": ID, "unlimited": true}: the account's own daily budget.
func (s *Sim) simBudget(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID `json:"advertiser_id"`
		Budget       *money `json:"budget"`
		Unlimited    bool   `json:"unlimited"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 || (req.Budget != nil) == req.Unlimited {
		simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID, "budget": "yuan"} or {"advertiser_id": ID, "unlimited": true}`)
		return
	}
	var fen int64
	if req.Budget != nil {
		fen = req.Budget.fen
	}
	if err := s.SetAdvertiserBudget(int64(req.AdvertiserID), !req.Unlimited, fen); err != nil {
		simScenarioError(w, err)
		return
	}
	out := map[string]any{"advertiser_id": int64(req.AdvertiserID), "budget_mode": "BUDGET_MODE_INFINITE"}
	if !req.Unlimited {
		out["budget_mode"], out["budget"] = "BUDGET_MODE_DAY", fenText(fen)
	}
	simJSON(w, http.StatusOK, out)
}

// POST /_sim/performance {"advertiser_id": ID, "ids": [ad or promotion ids],
// "cvr_factor": 0.2, "ctr_factor": 1}
func (s *Sim) simPerformance(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID   `json:"advertiser_id"`
		IDs          []flexID `json:"ids"`
		CVRFactor    *float64 `json:"cvr_factor"`
		CTRFactor    *float64 `json:"ctr_factor"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 || len(req.IDs) == 0 {
		simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID, "ids": [...], "cvr_factor": 0.2, "ctr_factor": 1}`)
		return
	}
	ctr, cvr := 1.0, 1.0
	if req.CTRFactor != nil {
		ctr = *req.CTRFactor
	}
	if req.CVRFactor != nil {
		cvr = *req.CVRFactor
	}
	if err := s.ShiftPerformance(int64(req.AdvertiserID), idsOf(req.IDs), ctr, cvr); err != nil {
		simScenarioError(w, err)
		return
	}
	simJSON(w, http.StatusOK, map[string]any{"ok": true, "from": s.clock.Now().In(beijing).Truncate(3600e9).Format(layoutDateTime),
		"ctr_factor": ctr, "cvr_factor": cvr})
}

// POST /_sim/review {"advertiser_id": ID, "id": ad or promotion id,
// "action": "reject"|"approve", "reasons": [...], "suggestions": [...]}
func (s *Sim) simReview(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID   `json:"advertiser_id"`
		ID           flexID   `json:"id"`
		Action       string   `json:"action"`
		Reasons      []string `json:"reasons"`
		Suggestions  []string `json:"suggestions"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 || req.ID == 0 || (req.Action != "reject" && req.Action != "approve") {
		simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID, "id": ID, "action": "reject"|"approve", "reasons": [...]}`)
		return
	}
	if err := s.Review(int64(req.AdvertiserID), int64(req.ID), req.Action == "approve", req.Reasons, req.Suggestions); err != nil {
		simScenarioError(w, err)
		return
	}
	simJSON(w, http.StatusOK, map[string]any{"ok": true, "id": int64(req.ID), "action": req.Action})
}

// POST /_sim/expire_tokens {"advertiser_id": ID}
func (s *Sim) simExpireTokens(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AdvertiserID flexID `json:"advertiser_id"`
	}
	if err := decodeBody(r, &req); err != nil || req.AdvertiserID == 0 {
		simError(w, http.StatusBadRequest, `body must be {"advertiser_id": ID}`)
		return
	}
	simJSON(w, http.StatusOK, map[string]any{"expired_token_pairs": s.ExpireTokens(int64(req.AdvertiserID))})
}

// fenText renders fen as yuan with two decimals.
func fenText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func simScenarioError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrNotLeaf) {
		status = http.StatusNotFound
	}
	simError(w, status, strings.TrimPrefix(err.Error(), "oesim: "))
}
