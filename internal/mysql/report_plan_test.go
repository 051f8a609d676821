package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/bench/reportgen/gen"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
	"github.com/oceanops/adplatform/internal/report"
)

// planRow is one line of EXPLAIN PARTITIONS.
type planRow struct {
	selectType, table, partitions, access, key, extra string
}

func explain(t *testing.T, db *mysql.DB, query string, args []any) []planRow {
	t.Helper()
	var out []planRow
	for _, cells := range mysqltest.Rows(t, db, "EXPLAIN PARTITIONS "+query, args...) {
		var r planRow
		fields := map[string]*string{"select_type": &r.selectType, "table": &r.table, "partitions": &r.partitions,
			"type": &r.access, "key": &r.key, "Extra": &r.extra}
		for _, c := range cells {
			if f, ok := fields[c.Column]; ok {
				*f = string(c.Value)
			}
		}
		out = append(out, r)
	}
	return out
}

// TestReportPlansNeverScanHourlyRows checks, by EXPLAIN on a small generated
// world, that a report not grouped by hour never reads report_hourly (it is
// served from report_daily), and that the report table is always read
// through an index range or lookup, never scanned, whatever the grouping;
// queries of report_hourly touch only the partitions of the asked days.
func TestReportPlansNeverScanHourlyRows(t *testing.T) {
	ctx := context.Background()
	db := mysqltest.New(t)
	st, err := gen.Generate(ctx, db, gen.Options{Rows: 60000, Advertisers: 12, CampaignsPerAdvertiser: 3, AdsPerCampaign: 4,
		End: "2026-11-22", OperatorAdvertisers: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE report_hourly, report_daily"); err != nil {
		t.Fatal(err)
	}
	opID := mysqltest.Value[int64](t, db, `SELECT id FROM users WHERE username = ?`, gen.BenchOperator)
	from := report.AddDays(st.End, -6)
	adv := st.Advertisers[0]
	cases := []struct {
		name   string
		scope  auth.Scope
		params report.Params
		hourly bool // reads report_hourly
	}{
		{"hourly by ad", auth.UserScope(opID), report.Params{Level: "ad", Granularity: "hour", GroupBy: []string{"entity"}}, false},
		{"hourly by date", auth.SystemScope(), report.Params{Level: "campaign", Granularity: "hour", GroupBy: []string{"date"}}, false},
		{"hourly by advertiser", auth.SystemScope(), report.Params{Level: "advertiser", Granularity: "hour", GroupBy: []string{"advertiser"}}, false},
		{"hourly by date and hour", auth.UserScope(opID), report.Params{Level: "advertiser", Granularity: "hour"}, true},
		{"hourly by hour and ad", auth.SystemScope(), report.Params{Level: "ad", Granularity: "hour", GroupBy: []string{"hour", "entity"}}, true},
		{"daily by ad", auth.UserScope(opID), report.Params{Level: "ad", GroupBy: []string{"entity"}}, false},
	}
	for _, c := range cases {
		for _, one := range []bool{true, false} {
			name := c.name
			p := c.params
			p.From, p.To = from, st.End
			if one {
				p.AdvertiserIDs = []int64{adv}
				name += ", one advertiser"
			}
			t.Run(name, func(t *testing.T) {
				spec, err := p.Spec()
				if err != nil {
					t.Fatal(err)
				}
				stats, rows, sargs, rargs, err := db.ReportStatements(ctx, c.scope, spec)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(stats+rows, "report_hourly"); got != c.hourly {
					t.Fatalf("reads report_hourly = %v, want %v:\n%s", got, c.hourly, rows)
				}
				for _, q := range []struct {
					sql  string
					args []any
				}{{stats, sargs}, {rows, rargs}} {
					plan := explain(t, db, q.sql, q.args)
					found := false
					for _, r := range plan {
						if r.table != "r" {
							continue
						}
						found = true
						if r.access == "ALL" || r.access == "index" || r.key == "" {
							t.Errorf("report table read by %q (key %q): a scan\n%s\n%+v", r.access, r.key, q.sql, plan)
						}
						if c.hourly {
							// 7 days asked: at most their partitions (and none of p_old, p_future).
							parts := strings.Split(r.partitions, ",")
							if len(parts) > 7 || strings.Contains(r.partitions, "p_future") || strings.Contains(r.partitions, "p_old") {
								t.Errorf("report_hourly partitions read %q, want the 7 days' only", r.partitions)
							}
						}
					}
					if !found {
						t.Fatalf("no access to the report table in the plan %+v", plan)
					}
				}
				// The served answer is the daily one where hours are not asked for.
				res, err := db.QueryReport(ctx, c.scope, spec, 100, 0)
				if err != nil || res.Total == 0 {
					t.Fatalf("query: %d groups (%v)", res.Total, err)
				}
				if !c.hourly {
					want := fmt.Sprintf("report_%s_daily", spec.Level)
					if res.Coverage.Stream != want {
						t.Errorf("coverage of stream %q, want %q", res.Coverage.Stream, want)
					}
				}
			})
		}
	}
}
