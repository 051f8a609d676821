package mysql

import (
	"regexp"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/report"
)

// sqlText is what the report statements are written in: identifiers,
// operators, placeholders, no quotes, comments or statement separators.
var sqlText = regexp.MustCompile(`^[A-Za-z0-9_.,()*?=<>/\s]+$`)

// FuzzReportQuery validates arbitrary report parameters (as GET
// /api/v1/reports passes them) and renders what Spec accepts: no panic, and
// the statements hold no text of the request: every value is a placeholder
// argument, so the SQL is written only in sqlText and names a table for
// every join.
func FuzzReportQuery(f *testing.F) {
	f.Add("ad", "2025-06-01", "2025-06-30", "", "date,entity", "-cost,date", int64(7))
	f.Add("campaign", "2025-06-18", "2025-06-18", "hour", "hour,manager", "ctr:desc,hour:asc", int64(0))
	f.Add("promotion", "2025-01-01", "2025-12-31", "day", "parent", "cpa", int64(1764248275995652))
	f.Add("advertiser", "2025-06-01", "2025-06-02", "", "entity", "-entity", int64(-1))
	f.Add("project", "2025-06-01", "2025-06-02", "", "", "", int64(2))
	f.Add("ad'; DROP TABLE x; --", "2025-06-01", "2025-06-01", "day", "date) OR (1=1", "cost; --", int64(3))
	f.Fuzz(func(t *testing.T, level, from, to, gran, groupBy, orderBy string, id int64) {
		p := report.Params{Level: level, From: from, To: to, Granularity: gran, AdvertiserIDs: []int64{id}, EntityIDs: []int64{id},
			GroupBy: list(groupBy), OrderBy: list(orderBy)}
		spec, err := p.Spec()
		if err != nil {
			return
		}
		for _, scope := range []auth.Scope{{All: true}, {UserID: 5}} {
			q := buildReportQuery(scope, spec, &leafFilter{ids: []int64{id}})
			rows, _ := q.rowsSQL(100, 0)
			for _, stmt := range []string{q.statsSQL(), rows} {
				if !sqlText.MatchString(stmt) || strings.Contains(stmt, "JOIN  ") {
					t.Fatalf("params %+v render\n%s", p, stmt)
				}
			}
			if q.args[0] != level || q.args[1] != from || q.args[2] != to {
				t.Fatalf("params %+v: arguments %v", p, q.args)
			}
		}
	})
}

// list splits a comma-separated parameter ("" is none).
func list(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
