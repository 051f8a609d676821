package report

import "github.com/shopspring/decimal"

// MetricsView is how the API and the webhooks show metrics. Money (cost,
// cpc, cpm, cpa) is a string with two decimals ("123.45") so that no JSON
// client turns it into a float; ctr and cvr are percentages as strings with
// two decimals. A derived metric whose denominator is zero is null.
type MetricsView struct {
	CoreView
	DeepConvert int64   `json:"deep_convert"`
	CTR         *string `json:"ctr"`
	CPC         *string `json:"cpc"`
	CPM         *string `json:"cpm"`
	CVR         *string `json:"cvr"`
	CPA         *string `json:"cpa"`
}

// NewMetricsView shows t's sums and the metrics derived from them.
func NewMetricsView(t Totals) MetricsView {
	d := t.Derived()
	return MetricsView{
		CoreView: NewCoreView(t), DeepConvert: t.DeepConvert,
		CTR: OptMoney(d.CTR), CPC: OptMoney(d.CPC), CPM: OptMoney(d.CPM), CVR: OptMoney(d.CVR), CPA: OptMoney(d.CPA),
	}
}

// CoreView are the four core metrics: the points of the dashboard's trend,
// an entity's today, and the start of every MetricsView.
type CoreView struct {
	Cost    string `json:"cost"`
	Show    int64  `json:"show"`
	Click   int64  `json:"click"`
	Convert int64  `json:"convert"`
}

// NewCoreView shows t's core sums.
func NewCoreView(t Totals) CoreView {
	return CoreView{Cost: Money(t.Cost), Show: t.Show, Click: t.Click, Convert: t.Convert}
}

// ChangeView is the change from one period's metrics to another's, for
// every metric, in percent ("12.50", "-3.20"); null when the earlier value
// is zero or null.
type ChangeView struct {
	Cost        *string `json:"cost"`
	Show        *string `json:"show"`
	Click       *string `json:"click"`
	Convert     *string `json:"convert"`
	DeepConvert *string `json:"deep_convert"`
	CTR         *string `json:"ctr"`
	CPC         *string `json:"cpc"`
	CPM         *string `json:"cpm"`
	CVR         *string `json:"cvr"`
	CPA         *string `json:"cpa"`
}

// NewChangeView is the change from prev to cur.
func NewChangeView(cur, prev Totals) ChangeView {
	pct := func(c, p decimal.Decimal) *string { return OptMoney(Change(c, p)) }
	n := decimal.NewFromInt
	opt := func(c, p *decimal.Decimal) *string {
		if c == nil || p == nil {
			return nil
		}
		return pct(*c, *p)
	}
	dc, dp := cur.Derived(), prev.Derived()
	return ChangeView{
		Cost: pct(cur.Cost, prev.Cost), Show: pct(n(cur.Show), n(prev.Show)), Click: pct(n(cur.Click), n(prev.Click)),
		Convert: pct(n(cur.Convert), n(prev.Convert)), DeepConvert: pct(n(cur.DeepConvert), n(prev.DeepConvert)),
		CTR: opt(dc.CTR, dp.CTR), CPC: opt(dc.CPC, dp.CPC), CPM: opt(dc.CPM, dp.CPM), CVR: opt(dc.CVR, dp.CVR), CPA: opt(dc.CPA, dp.CPA),
	}
}
