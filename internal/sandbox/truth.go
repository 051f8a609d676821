package sandbox

import (
	"errors"
	"fmt"
	"time"
)

// TruthQuery asks for ground-truth totals straight from the fact table.
type TruthQuery struct {
	// AdvertiserID is a leaf advertiser.
	AdvertiserID int64
	// Level is advertiser (default; v2 and v3 delivery together), campaign,
	// ad, creative (v2 only), project or promotion (v3 only).
	Level string
	// IDs restricts the result to these entities of Level (empty = all).
	IDs []int64
	// StartDate and EndDate are inclusive Beijing dates, YYYY-MM-DD. No span limit.
	StartDate, EndDate string
	// Granularity is "day" (default), "hour" or "total".
	Granularity string
	// Final reports conversions at their settled value instead of what the
	// API shows at AsOf.
	Final bool
	// AsOf is the moment to evaluate at (zero = the simulated now). Only
	// complete hours before it count, exactly as the API sees it.
	AsOf time.Time
}

// TruthRow is one (time, entity) total. Cost is exact: CostFen in fen and
// Cost as a yuan decimal string.
type TruthRow struct {
	Time        string // stat_datetime "yyyy-MM-dd HH:mm:ss"; "" for Granularity "total"
	Date        string // YYYY-MM-DD of Time; "" for "total"
	ID          int64  // entity id at Level (the advertiser id at level advertiser)
	CostFen     int64
	Cost        string
	Show        int64
	Click       int64
	Convert     int64
	DeepConvert int64
}

// TruthResult holds the non-zero rows (time, then id ascending) and their total.
type TruthResult struct {
	AsOf  time.Time
	Rows  []TruthRow
	Total TruthRow
}

// Truth computes ground-truth totals for comparing a mirror with the sandbox.
func (s *Sim) Truth(q TruthQuery) (TruthResult, error) {
	w := s.world.Load()
	st, ok := w.adv(q.AdvertiserID)
	if !ok {
		return TruthResult{}, fmt.Errorf("oesim: %d is not a leaf advertiser", q.AdvertiserID)
	}
	if q.Level == "" {
		q.Level = "advertiser"
	}
	lv, ok := parseLevel(q.Level)
	if !ok {
		return TruthResult{}, fmt.Errorf("oesim: unknown level %q", q.Level)
	}
	d0, ok0 := parseDate(q.StartDate)
	d1, ok1 := parseDate(q.EndDate)
	if !ok0 || !ok1 || d1 < d0 {
		return TruthResult{}, errors.New("oesim: StartDate/EndDate must be YYYY-MM-DD with StartDate <= EndDate")
	}
	spec := aggSpec{level: lv, d0: d0, d1: d1, byID: lv != lvAdvertiser, final: q.Final}
	switch q.Granularity {
	case "", "day":
		spec.byTime = true
	case "hour":
		spec.byTime, spec.hourly = true, true
	case "total":
	default:
		return TruthResult{}, fmt.Errorf("oesim: unknown granularity %q", q.Granularity)
	}
	if len(q.IDs) > 0 {
		want := idSet(q.IDs)
		spec.include = func(u *entity) bool {
			g, ok := groupOf(u, lv)
			return ok && g != nil && want[g.id]
		}
	}
	asOf := q.AsOf
	if asOf.IsZero() {
		asOf = s.clock.Now()
	}
	st.mu.RLock()
	rows := w.aggregate(st, spec, asOf, &aggBuf{index: map[*entity]int32{}})
	st.mu.RUnlock()
	res := TruthResult{AsOf: asOf, Rows: make([]TruthRow, 0, len(rows))}
	var total sums
	for _, r := range rows {
		tr := truthRow(r.s)
		tr.ID = st.acct.ID
		if r.ent != nil {
			tr.ID = r.ent.id
		}
		if spec.byTime {
			tr.Time = statTime(spec, r.slot)
			tr.Date = tr.Time[:10]
		}
		res.Rows = append(res.Rows, tr)
		total.addSums(&r.s)
	}
	res.Total = truthRow(total)
	return res, nil
}

func truthRow(s sums) TruthRow {
	return TruthRow{CostFen: s.cost, Cost: fixed2(s.cost), Show: s.show, Click: s.click, Convert: s.conv, DeepConvert: s.deep}
}
