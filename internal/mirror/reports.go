package mirror

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// Report sync.
//
// Every run of a daily stream re-reads today and the LookbackDays before it
// (conversions keep arriving for 72 hours), and once per Beijing day also the
// day just before that window, whose conversions have then settled — so
// every day is read at least once after it is final, and the sync_state
// cursor remembers the last settled day (a worker that was down for a while
// catches up on up to 30 days). Hourly streams re-read today and yesterday.
//
// A window is read in spans of at most 30 days, page by page (1000 rows), and
// each page is upserted as it arrives, on the natural key. After the whole
// window was read, stored rows of the window that the platform no longer
// reports are deleted, so the mirror equals the platform's answer for the
// window exactly, however often it is re-read.

// v2Fields are the base metrics requested from the v2 reports; derived
// metrics are computed from sums at query time, never stored.
var v2Fields = []string{"cost", "show", "click", "convert", "deep_convert"}

// v3Metrics are the same base metrics in the v3 custom report.
var v3Metrics = []string{"stat_cost", "show_cnt", "click_cnt", "convert_cnt", "deep_convert_cnt"}

// reportWindow returns the window a scheduled run of a report stream reads
// and the cursor to record after it succeeds ("" keeps the current one).
func (e *Engine) reportWindow(s stream, st mysql.SyncState, now time.Time) (span, string) {
	today := beijingDay(now)
	if s.hourly {
		return span{today.AddDate(0, 0, -(e.cfg.HourlyDays - 1)), today}, ""
	}
	from := today.AddDate(0, 0, -e.cfg.LookbackDays)
	settle := from.AddDate(0, 0, -1)
	last, err := parseDate(st.Cursor)
	switch {
	case st.Cursor == "" || err != nil:
		return span{settle, today}, fmtDate(settle)
	case last.Before(settle):
		first := last.AddDate(0, 0, 1)
		if earliest := today.AddDate(0, 0, -(maxSpanDays - 1)); first.Before(earliest) {
			first = earliest
		}
		return span{first, today}, fmtDate(settle)
	}
	return span{from, today}, ""
}

func (e *Engine) syncReport(ctx context.Context, lock *mysql.NamedLock, adv int64, s stream, st mysql.SyncState, start time.Time) (runResult, error) {
	w, cursor := e.reportWindow(s, st, start)
	rows, err := e.readReport(ctx, lock, adv, s, w, start)
	return runResult{rows: rows, cursor: cursor}, err
}

// readReport reads a report window and makes the stored rows of the window
// equal to what the platform reported. It returns the rows written.
func (e *Engine) readReport(ctx context.Context, lock *mysql.NamedLock, adv int64, s stream, w span, at time.Time) (int, error) {
	seen := map[mysql.FactKey]struct{}{}
	rows := 0
	for _, sp := range split(w.from, w.to, maxSpanDays) {
		n, err := e.readSpan(ctx, adv, s, sp, at, seen)
		rows += n
		if err != nil {
			return rows, err
		}
	}
	stored, err := e.db.FactKeys(ctx, s.hourly, adv, s.level, fmtDate(w.from), fmtDate(w.to))
	if err != nil {
		return rows, err
	}
	var stale []mysql.FactKey
	for _, k := range stored {
		if _, ok := seen[k]; !ok {
			stale = append(stale, k)
		}
	}
	if len(stale) > 0 {
		if !lock.Held(ctx) {
			return rows, fmt.Errorf("mirror: lost the lock of %d/%s before removing stale rows", adv, s.name)
		}
		n, err := e.db.DeleteFacts(ctx, s.hourly, adv, s.level, stale)
		e.log.Info("report rows no longer reported removed", zapAdv(adv), zapStream(s.name), zapInt("count", int(n)))
		if err != nil {
			return rows, err
		}
	}
	// The window now equals the platform's answer: reports over it are covered.
	return rows, e.db.AddReportCoverage(ctx, adv, s.name, fmtDate(w.from), fmtDate(w.to), at)
}

// readSpan reads one span (≤ 30 days) page by page, upserting each page.
func (e *Engine) readSpan(ctx context.Context, adv int64, s stream, sp span, at time.Time, seen map[mysql.FactKey]struct{}) (int, error) {
	store := func(facts []mysql.ReportFact) (int, error) {
		for _, f := range facts {
			seen[mysql.FactKey{StatDate: f.StatDate, StatHour: f.StatHour, EntityID: f.EntityID}] = struct{}{}
		}
		var n int64
		var err error
		if s.hourly {
			n, err = e.db.UpsertHourlyFacts(ctx, facts, at)
		} else {
			n, err = e.db.UpsertDailyFacts(ctx, facts, at)
		}
		return int(n), err
	}
	switch s.level {
	case LevelProject, LevelPromotion:
		dims := []string{"stat_time_day", "cdp_project_id"}
		if s.level == LevelPromotion {
			dims = append(dims, "cdp_promotion_id")
		}
		req := oceanengine.CustomReportRequest{AdvertiserID: adv, DataTopic: "BASIC_DATA", Dimensions: dims, Metrics: v3Metrics,
			StartTime: fmtDate(sp.from), EndTime: fmtDate(sp.to), PageSize: oceanengine.MaxReportPageSize}
		return storePages(e.api.CustomReportPages(ctx, req), func(r oceanengine.CustomReportRow) (mysql.ReportFact, error) {
			return v3Fact(adv, s, r, sp)
		}, store)
	default:
		req := oceanengine.ReportRequest{AdvertiserID: adv, StartDate: fmtDate(sp.from), EndDate: fmtDate(sp.to),
			TimeGranularity: oceanengine.GranularityDaily, GroupBy: []string{oceanengine.GroupByStatTime},
			Fields: v2Fields, PageSize: oceanengine.MaxReportPageSize}
		if s.hourly {
			req.TimeGranularity = oceanengine.GranularityHourly
		}
		if s.level != LevelAdvertiser {
			req.GroupBy = append(req.GroupBy, oceanengine.GroupByID)
		}
		return storePages(e.api.ReportPages(ctx, oceanengine.ReportLevel(s.level), req), func(r oceanengine.ReportRow) (mysql.ReportFact, error) {
			return v2Fact(adv, s, r, sp)
		}, store)
	}
}

// storePages converts each page's rows into facts and stores the page,
// returning the rows stored until the first error.
func storePages[R any](pages iter.Seq2[[]R, error], fact func(R) (mysql.ReportFact, error), store func([]mysql.ReportFact) (int, error)) (int, error) {
	rows := 0
	for page, err := range pages {
		if err != nil {
			return rows, err
		}
		facts := make([]mysql.ReportFact, 0, len(page))
		for _, r := range page {
			f, err := fact(r)
			if err != nil {
				return rows, err
			}
			facts = append(facts, f)
		}
		n, err := store(facts)
		rows += n
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// inSpan checks a reported date against the span asked for.
func inSpan(date string, sp span) error {
	d, err := parseDate(date)
	if err != nil {
		return fmt.Errorf("mirror: report date %q: %w", date, err)
	}
	if d.Before(sp.from) || d.After(sp.to) {
		return fmt.Errorf("mirror: report row dated %s outside the requested %s", date, sp)
	}
	return nil
}

// v2Fact converts a v2 report row.
func v2Fact(adv int64, s stream, r oceanengine.ReportRow, sp span) (mysql.ReportFact, error) {
	if r.StatDatetime.IsZero() {
		return mysql.ReportFact{}, fmt.Errorf("mirror: %s row without stat_datetime", s.name)
	}
	if r.AdvertiserID != 0 && int64(r.AdvertiserID) != adv {
		return mysql.ReportFact{}, fmt.Errorf("mirror: %s row of advertiser %d, not %d", s.name, r.AdvertiserID, adv)
	}
	f := mysql.ReportFact{AdvertiserID: adv, Level: s.level, StatDate: r.StatDatetime.Date()}
	if err := inSpan(f.StatDate, sp); err != nil {
		return f, err
	}
	if s.hourly {
		f.StatHour = r.StatDatetime.Hour()
	}
	switch s.level {
	case LevelAdvertiser:
		f.EntityID = adv
	case LevelCampaign:
		f.EntityID = int64(r.CampaignID)
	case LevelAd:
		f.EntityID, f.ParentID = int64(r.AdID), int64(r.CampaignID)
	}
	if f.EntityID == 0 {
		return f, fmt.Errorf("mirror: %s row without %s id", s.name, s.level)
	}
	var err error
	if f.Cost, err = yuan(s.name+" cost", r.Cost); err != nil {
		return f, err
	}
	if f.Show, err = count("show", r.Show); err != nil {
		return f, err
	}
	if f.Click, err = count("click", r.Click); err != nil {
		return f, err
	}
	if f.Convert, err = count("convert", r.Convert); err != nil {
		return f, err
	}
	f.DeepConvert, err = count("deep_convert", r.DeepConvert)
	return f, err
}

// v3Fact converts a row of the v3 custom report (every value a string).
func v3Fact(adv int64, s stream, r oceanengine.CustomReportRow, sp span) (mysql.ReportFact, error) {
	f := mysql.ReportFact{AdvertiserID: adv, Level: s.level, StatDate: r.Dimensions["stat_time_day"]}
	if err := inSpan(f.StatDate, sp); err != nil {
		return f, err
	}
	id := func(name string) (int64, error) {
		v, err := strconv.ParseInt(r.Dimensions[name], 10, 64)
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("mirror: %s row: %s=%q is not an id", s.name, name, r.Dimensions[name])
		}
		return v, nil
	}
	var err error
	if s.level == LevelProject {
		f.EntityID, err = id("cdp_project_id")
	} else {
		if f.EntityID, err = id("cdp_promotion_id"); err == nil {
			f.ParentID, err = id("cdp_project_id")
		}
	}
	if err != nil {
		return f, err
	}
	cost, err := r.Metrics.Money("stat_cost")
	if err != nil {
		return f, err
	}
	if f.Cost, err = yuan(s.name+" stat_cost", cost); err != nil {
		return f, err
	}
	for _, m := range []struct {
		name string
		dst  *int64
	}{{"show_cnt", &f.Show}, {"click_cnt", &f.Click}, {"convert_cnt", &f.Convert}, {"deep_convert_cnt", &f.DeepConvert}} {
		v, err := r.Metrics.Int(m.name)
		if err != nil {
			return f, err
		}
		if v < 0 {
			return f, fmt.Errorf("mirror: negative %s %d", m.name, v)
		}
		*m.dst = v
	}
	return f, nil
}
