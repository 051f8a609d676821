package oceanengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
)

func TestDecodeQuotedAndBareNumbers(t *testing.T) {
	var v struct {
		A, B, C ID
		M, N, O Money
		T, D    Time
	}
	in := `{"A":1764248275995652,"B":"1764248275995653","C":"","M":0.1,"N":"12345678901234.57","O":null,
		"T":"2025-06-18 14:30:05","D":"2025-06-18"}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 1764248275995652 || v.B != 1764248275995653 || v.C != 0 {
		t.Errorf("ids = %d %d %d", v.A, v.B, v.C)
	}
	// 0.1 and a 14-digit amount survive exactly (a float64 would not).
	if v.M.String() != "0.10" || v.N.String() != "12345678901234.57" {
		t.Errorf("money = %s, %s", v.M, v.N)
	}
	if fen, ok := v.N.Fen(); !ok || fen != 1234567890123457 {
		t.Errorf("fen = %d, %v", fen, ok)
	}
	if want := time.Date(2025, 6, 18, 6, 30, 5, 0, time.UTC); !v.T.Equal(want) || v.T.Text() != "2025-06-18 14:30:05" || v.T.Hour() != 14 {
		t.Errorf("time = %v (%s), want %v", v.T.Time, v.T.Text(), want)
	}
	if v.D.Date() != "2025-06-18" {
		t.Errorf("date = %s", v.D.Date())
	}
	if err := json.Unmarshal([]byte(`{"A":"12x"}`), &v); err == nil {
		t.Error("a non-numeric id decoded")
	}
	if _, ok := MustYuan("1.005").Fen(); ok {
		t.Error("1.005 yuan converted to whole fen")
	}
	if FromFen(-1234).String() != "-12.34" {
		t.Errorf("FromFen(-1234) = %s", FromFen(-1234))
	}
}

func TestEncodeQuery(t *testing.T) {
	q, err := encodeQuery(ReportRequest{AdvertiserID: 1764248275995652, StartDate: "2025-06-01", EndDate: "2025-06-02",
		GroupBy: []string{GroupByStatTime}, Filtering: &ReportFilter{AdIDs: []int64{9007199254740993}}, Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := "advertiser_id=1764248275995652&end_date=2025-06-02&filtering=%7B%22ad_ids%22%3A%5B9007199254740993%5D%7D" +
		"&group_by=%5B%22STAT_GROUP_BY_FIELD_STAT_TIME%22%5D&page=2&start_date=2025-06-01"
	if got := q.Encode(); got != want {
		t.Errorf("query =\n%s\nwant\n%s", got, want)
	}
	body, _ := encodeBody(AdBudgetRequest{AdvertiserID: 1, Data: []AdBudget{{AdID: 9007199254740993, Budget: MustYuan("300")}}})
	if got := string(body); got != `{"advertiser_id":1,"data":[{"ad_id":9007199254740993,"budget":300.00}]}` {
		t.Errorf("body = %s", got)
	}
}

func TestDecodeBatch(t *testing.T) {
	cases := []struct {
		name, data, idsKey, idKey string
		ok                        []int64
		failed                    []ItemError
	}{
		{"v2", `{"ad_ids":[1,"2"],"errors":[{"ad_id":"3","error_message":"ad does not exist"}]}`, "ad_ids", "ad_id",
			[]int64{1, 2}, []ItemError{{ID: 3, Message: "ad does not exist"}}},
		{"v3 error_list", `{"promotion_ids":[],"error_list":[{"promotion_id":4,"error_code":40001,"error_message":"x"}]}`, "promotion_ids", "promotion_id",
			nil, []ItemError{{ID: 4, Code: 40001, Message: "x"}}},
		{"all ok", `{"campaign_ids":[5]}`, "campaign_ids", "campaign_id", []int64{5}, nil},
	}
	for _, c := range cases {
		res, err := decodeBatch(json.RawMessage(c.data), c.idsKey, c.idKey)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(res.Succeeded, c.ok) || !slices.Equal(res.Failed, c.failed) {
			t.Errorf("%s: got %v / %v, want %v / %v", c.name, res.Succeeded, res.Failed, c.ok, c.failed)
		}
	}
}

// TestErrorVocabulary checks each error's classifiers and apperr kind.
func TestErrorVocabulary(t *testing.T) {
	api := func(code int) error {
		return fmt.Errorf("wrapped: %w", &APIError{Code: code, Message: "m", RequestID: "r", Endpoint: "2/ad/get"})
	}
	cases := []struct {
		name                                string
		err                                 error
		kind                                apperr.Kind
		rate, expired, reauth, retry, perma bool
	}{
		{"40100", api(40100), apperr.KindRateLimited, true, false, false, true, false},
		{"40110", api(40110), apperr.KindRateLimited, true, false, false, true, false},
		{"50000", api(50000), apperr.KindUpstream, false, false, false, true, false},
		{"40102", api(40102), apperr.KindUpstream, false, true, false, false, false},
		{"40103", api(40103), apperr.KindForbidden, false, false, true, false, true},
		{"40105", api(40105), apperr.KindForbidden, false, false, true, false, true},
		{"40107", api(40107), apperr.KindForbidden, false, false, true, false, true},
		{"40001", api(40001), apperr.KindUpstream, false, false, false, false, true},
		{"40002", api(40002), apperr.KindForbidden, false, false, false, false, true},
		{"40301", api(40301), apperr.KindForbidden, false, false, false, false, true},
		{"http 502", &HTTPError{StatusCode: 502}, apperr.KindUpstream, false, false, false, true, false},
		{"http 429", &HTTPError{StatusCode: 429}, apperr.KindRateLimited, true, false, false, true, false},
		{"http 404", &HTTPError{StatusCode: 404}, apperr.KindUpstream, false, false, false, false, true},
		{"timeout", &TransportError{Timeout: true, Err: context.DeadlineExceeded}, apperr.KindUpstream, false, false, false, true, false},
		{"breaker", &BreakerOpenError{Group: GroupReport}, apperr.KindUnavailable, false, false, false, true, false},
		{"quota wait", &QuotaWaitError{Err: context.Canceled}, apperr.KindRateLimited, true, false, false, false, false},
		{"unknown write", &OutcomeUnknownError{Err: api(50000)}, apperr.KindUpstream, false, false, false, false, false},
		{"batch", &BatchError{Failed: []ItemError{{ID: 1, Message: "x"}}}, apperr.KindValidation, false, false, false, false, true},
		{"decode", &DecodeError{Err: errors.New("x")}, apperr.KindUpstream, false, false, false, false, true},
	}
	for _, c := range cases {
		got := []bool{IsRateLimited(c.err), IsTokenExpired(c.err), NeedsReauth(c.err), IsRetryable(c.err), IsPermanent(c.err)}
		want := []bool{c.rate, c.expired, c.reauth, c.retry, c.perma}
		if !slices.Equal(got, want) {
			t.Errorf("%s: rate/expired/reauth/retryable/permanent = %v, want %v", c.name, got, want)
		}
		if k := apperr.KindOf(c.err); k != c.kind {
			t.Errorf("%s: kind %s, want %s", c.name, k, c.kind)
		}
	}
	if k := apperr.KindOf(AppError(errors.New("token store down"))); k != apperr.KindUpstream {
		t.Errorf("AppError of a plain error: kind %s, want upstream", k)
	}
	if e := AppError(api(40100)); apperr.KindOf(e) != apperr.KindRateLimited {
		t.Errorf("AppError reclassified a rate limit as %s", apperr.KindOf(e))
	}
}

// cursorPages is a cursor-paged list of n items, pageSize per page.
func cursorPages(n, pageSize int, calls *int) func(context.Context, int64) ([]int, CursorInfo, error) {
	return func(_ context.Context, cursor int64) ([]int, CursorInfo, error) {
		*calls++
		var items []int
		for i := int(cursor); i < n && len(items) < pageSize; i++ {
			items = append(items, i)
		}
		next := int(cursor) + len(items)
		return items, CursorInfo{Cursor: ID(next), Count: Int(len(items)), HasMore: next < n}, nil
	}
}

// TestPagingHelpers checks the iterators stream page by page and stop at
// the end, at an error and when the consumer stops. No sandbox endpoint
// uses cursor paging, so the cursor helper is checked with a list function.
func TestPagingHelpers(t *testing.T) {
	ctx := context.Background()
	collect := func(seq iter.Seq2[[]int, error], stopAfter int) ([]int, int, error) {
		var all []int
		pages := 0
		for p, err := range seq {
			if err != nil {
				return all, pages, err
			}
			pages++
			all = append(all, p...)
			if pages == stopAfter {
				break
			}
		}
		return all, pages, nil
	}
	calls := 0
	got, pages, err := collect(Cursor(ctx, cursorPages(7, 3, &calls)), 0)
	if err != nil || len(got) != 7 || pages != 3 || calls != 3 {
		t.Errorf("cursor: %v in %d pages / %d calls, %v; want 0..6 in 3", got, pages, calls, err)
	}
	calls = 0
	_, pages, _ = collect(Cursor(ctx, cursorPages(100, 3, &calls)), 2)
	if pages != 2 || calls != 2 {
		t.Errorf("cursor stopped by consumer after 2 pages made %d calls", calls)
	}
	stuck := func(context.Context, int64) ([]int, CursorInfo, error) {
		return []int{1}, CursorInfo{Cursor: 0, HasMore: true}, nil
	}
	if _, pages, _ := collect(Cursor(ctx, stuck), 0); pages != 1 {
		t.Errorf("a cursor that does not advance gave %d pages, want 1", pages)
	}
	boom := errors.New("boom")
	failing := func(_ context.Context, page int) ([]int, PageInfo, error) {
		if page == 2 {
			return nil, PageInfo{}, boom
		}
		return []int{page}, PageInfo{Page: page, PageSize: 1, TotalPage: 5}, nil
	}
	if got, _, err := collect(Pages(ctx, 1, failing), 0); !errors.Is(err, boom) || !slices.Equal(got, []int{1}) {
		t.Errorf("pages with an error on page 2: %v, %v", got, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := collect(Pages(cctx, 1, failing), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}
