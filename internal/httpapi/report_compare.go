package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/report"
)

// comparisonJSON is a report's previous period (compare=previous): the
// range, its summary, the change of each summary metric from it in
// percent, and its coverage (its gaps make the change unreliable).
type comparisonJSON struct {
	Mode     string             `json:"mode"`
	From     string             `json:"from"`
	To       string             `json:"to"`
	Summary  report.MetricsView `json:"summary"`
	Change   report.ChangeView  `json:"change_percent"`
	Coverage coverageJSON       `json:"coverage"`
	// RowsCompared is false when the previous period had too many rows to
	// pair with the page's; only the summary compares then.
	RowsCompared bool `json:"rows_compared"`
}

// compareReport adds the previous period to a report: the summary's and
// each row's. A row whose dimensions had no figures in the previous period
// has no previous (new entities, new hours).
func (s *Server) compareReport(c *gin.Context, spec report.Spec, res report.Result, out *reportResponse) error {
	var reader report.Reader = s.deps.DB
	cmp, err := report.Compare(c.Request.Context(), reader, scopeFrom(c), spec, res.Rows)
	if err != nil {
		return err
	}
	out.Comparison = &comparisonJSON{Mode: report.ComparePrevious, From: cmp.From, To: cmp.To, Summary: report.NewMetricsView(cmp.Summary),
		Change: report.NewChangeView(res.Summary, cmp.Summary), Coverage: newCoverageJSON(cmp.Coverage), RowsCompared: !cmp.RowsOmitted}
	for i, prev := range cmp.Rows {
		if prev == nil || i >= len(out.Items) {
			continue
		}
		m, ch := report.NewMetricsView(*prev), report.NewChangeView(res.Rows[i].Totals, *prev)
		out.Items[i].Previous, out.Items[i].Change = &m, &ch
	}
	return nil
}
