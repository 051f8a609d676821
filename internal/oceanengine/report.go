package oceanengine

import (
	"context"
	"fmt"
	"iter"
)

// ReportLevel selects a v2 report endpoint.
type ReportLevel string

// The v2 report levels.
const (
	ReportAdvertiser ReportLevel = "advertiser"
	ReportCampaign   ReportLevel = "campaign"
	ReportAd         ReportLevel = "ad"
	ReportCreative   ReportLevel = "creative"
)

// v2 report parameters.
const (
	GranularityDaily  = "STAT_TIME_GRANULARITY_DAILY"
	GranularityHourly = "STAT_TIME_GRANULARITY_HOURLY"
	GroupByStatTime   = "STAT_GROUP_BY_FIELD_STAT_TIME"
	GroupByID         = "STAT_GROUP_BY_FIELD_ID"
)

func (l ReportLevel) endpoint() (endpoint, error) {
	switch l {
	case ReportAdvertiser:
		return epReportAdvertiser, nil
	case ReportCampaign:
		return epReportCampaign, nil
	case ReportAd:
		return epReportAd, nil
	case ReportCreative:
		return epReportCreative, nil
	}
	return endpoint{}, fmt.Errorf("oceanengine: unknown report level %q", string(l))
}

// ReportFilter restricts a v2 report to entities (≤ 100 ids each).
type ReportFilter struct {
	CampaignIDs []int64 `json:"campaign_ids,omitempty"`
	AdIDs       []int64 `json:"ad_ids,omitempty"`
	CreativeIDs []int64 `json:"creative_ids,omitempty"`
}

// ReportRequest asks for one page of a v2 report. Dates are Beijing
// YYYY-MM-DD (DateOf), the span at most 30 days.
type ReportRequest struct {
	AdvertiserID    int64         `json:"advertiser_id"`
	StartDate       string        `json:"start_date"`
	EndDate         string        `json:"end_date"`
	TimeGranularity string        `json:"time_granularity,omitempty"` // GranularityDaily (default) or GranularityHourly
	GroupBy         []string      `json:"group_by,omitempty"`         // default [GroupByStatTime]
	Fields          []string      `json:"fields,omitempty"`           // metrics; default all
	Filtering       *ReportFilter `json:"filtering,omitempty"`
	OrderField      string        `json:"order_field,omitempty"`
	OrderType       string        `json:"order_type,omitempty"` // ASC or DESC
	Page            int           `json:"page,omitempty"`
	PageSize        int           `json:"page_size,omitempty"` // ≤ 1000
}

func (r ReportRequest) page() int { return r.Page }

func (r ReportRequest) withPage(page int) ReportRequest {
	r.Page = page
	return r
}

// ReportRow is one row of a v2 report. StatDatetime is the Beijing start of
// the day or hour (Date and Hour give the report keys). Money is exact;
// ratios (ctr, convert_rate) are percentages as the platform computed them:
// recompute derived metrics from summed base metrics rather than averaging.
type ReportRow struct {
	StatDatetime    Time    `json:"stat_datetime"`
	AdvertiserID    ID      `json:"advertiser_id"`
	CampaignID      ID      `json:"campaign_id"`
	CampaignName    string  `json:"campaign_name"`
	AdID            ID      `json:"ad_id"`
	AdName          string  `json:"ad_name"`
	CreativeID      ID      `json:"creative_id"`
	CreativeTitle   string  `json:"creative_title"`
	Cost            Money   `json:"cost"`
	Show            Int     `json:"show"`
	Click           Int     `json:"click"`
	Ctr             Decimal `json:"ctr"`
	AvgShowCost     Money   `json:"avg_show_cost"`
	AvgClickCost    Money   `json:"avg_click_cost"`
	Convert         Int     `json:"convert"`
	ConvertCost     Money   `json:"convert_cost"`
	ConvertRate     Decimal `json:"convert_rate"`
	DeepConvert     Int     `json:"deep_convert"`
	DeepConvertCost Money   `json:"deep_convert_cost"`
	DeepConvertRate Decimal `json:"deep_convert_rate"`
}

// ReportPage is one page of a v2 report.
type ReportPage = ListPage[ReportRow]

// Report returns one page of a v2 report (GET 2/report/<level>/get).
func (c *Client) Report(ctx context.Context, level ReportLevel, req ReportRequest) (*ReportPage, error) {
	ep, err := level.endpoint()
	if err != nil {
		return nil, err
	}
	return read[ReportPage](ctx, c, call{ep: ep, acct: req.AdvertiserID, params: req})
}

// ReportPages streams every page of a v2 report from req.Page.
func (c *Client) ReportPages(ctx context.Context, level ReportLevel, req ReportRequest) iter.Seq2[[]ReportRow, error] {
	return listPages(ctx, req, func(ctx context.Context, r ReportRequest) (*ReportPage, error) { return c.Report(ctx, level, r) })
}

// CustomFilter is one filter of the v3 custom report (e.g. field
// cdp_project_id, type 1, operator 7 = IN, values as strings).
type CustomFilter struct {
	Field    string   `json:"field"`
	Type     int      `json:"type"`
	Operator int      `json:"operator"`
	Values   []string `json:"values"`
}

// CustomOrder orders the v3 custom report.
type CustomOrder struct {
	Field string `json:"field"`
	Type  string `json:"type"` // ASC or DESC
}

// CustomReportRequest asks for one page of the v3 custom report. Dimensions
// such as stat_time_day/stat_time_hour, cdp_project_id, cdp_promotion_id;
// metrics such as stat_cost, show_cnt, click_cnt, convert_cnt. Dates are
// Beijing YYYY-MM-DD.
type CustomReportRequest struct {
	AdvertiserID int64          `json:"advertiser_id"`
	DataTopic    string         `json:"data_topic"` // e.g. BASIC_DATA
	Dimensions   []string       `json:"dimensions"`
	Metrics      []string       `json:"metrics"`
	Filters      []CustomFilter `json:"filters"`  // sent as [] when empty
	OrderBy      []CustomOrder  `json:"order_by"` // sent as [] when empty
	StartTime    string         `json:"start_time"`
	EndTime      string         `json:"end_time"`
	Page         int            `json:"page,omitempty"`
	PageSize     int            `json:"page_size,omitempty"`
}

// CustomReportRow is one row: every value is a string (Values.Int/Money).
type CustomReportRow struct {
	Dimensions Values `json:"dimensions"`
	Metrics    Values `json:"metrics"`
}

// CustomReportPage is one page of the v3 custom report.
type CustomReportPage struct {
	Rows         []CustomReportRow `json:"rows"`
	TotalMetrics Values            `json:"total_metrics"`
	PageInfo     PageInfo          `json:"page_info"`
}

// CustomReport returns one page of the v3 custom report (GET v3.0/report/custom/get).
func (c *Client) CustomReport(ctx context.Context, req CustomReportRequest) (*CustomReportPage, error) {
	// The platform requires both (the official SDK refuses to send a
	// request without them).
	if req.Filters == nil {
		req.Filters = []CustomFilter{}
	}
	if req.OrderBy == nil {
		req.OrderBy = []CustomOrder{}
	}
	return read[CustomReportPage](ctx, c, call{ep: epReportCustom, acct: req.AdvertiserID, params: req})
}

// CustomReportPages streams every page of the v3 custom report from req.Page.
func (c *Client) CustomReportPages(ctx context.Context, req CustomReportRequest) iter.Seq2[[]CustomReportRow, error] {
	return Pages(ctx, req.Page, func(ctx context.Context, page int) ([]CustomReportRow, PageInfo, error) {
		r := req
		r.Page = page
		p, err := c.CustomReport(ctx, r)
		if err != nil {
			return nil, PageInfo{}, err
		}
		return p.Rows, p.PageInfo, nil
	})
}
