package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/apperr"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestDerivedFromSums(t *testing.T) {
	str := func(d *decimal.Decimal) string {
		if d == nil {
			return "null"
		}
		return d.StringFixed(2)
	}
	tests := []struct {
		name string
		t    Totals
		want string // ctr cpc cpm cvr cpa
	}{
		{"zeros", Totals{}, "null null null null null"},
		{"no clicks", Totals{Cost: dec("5.00"), Show: 1000}, "0.00 null 5.00 null null"},
		{"half cent rounds away from zero", Totals{Cost: dec("0.05"), Show: 1000, Click: 2, Convert: 2}, "0.20 0.03 0.05 100.00 0.03"},
		{"platform-like", Totals{Cost: dec("1234.56"), Show: 98765, Click: 4321, Convert: 123}, "4.38 0.29 12.50 2.85 10.04"},
		{"large sums stay exact", Totals{Cost: dec("99999999999999.99"), Show: 3, Click: 3, Convert: 3}, "100.00 33333333333333.33 33333333333333330.00 100.00 33333333333333.33"},
	}
	for _, tc := range tests {
		d := tc.t.Derived()
		got := fmt.Sprintf("%s %s %s %s %s", str(d.CTR), str(d.CPC), str(d.CPM), str(d.CVR), str(d.CPA))
		if got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	// Summing ten 0.10 costs is exactly 1.00 (a float64 sum is 0.9999999999999999).
	var sum Totals
	for i := 0; i < 10; i++ {
		sum.Add(Totals{Cost: dec("0.10"), Show: 1})
	}
	if Money(sum.Cost) != "1.00" || sum.Show != 10 {
		t.Errorf("sum = %s/%d", Money(sum.Cost), sum.Show)
	}
}

// byDivision is Derived by decimal division only.
func byDivision(t Totals) [5]*decimal.Decimal {
	return [5]*decimal.Decimal{ratio(decimal.NewFromInt(t.Click).Mul(hundred), t.Show), ratio(t.Cost, t.Click),
		ratio(t.Cost.Mul(thousand), t.Show), ratio(decimal.NewFromInt(t.Convert).Mul(hundred), t.Click), ratio(t.Cost, t.Convert)}
}

// Derived's integer arithmetic rounds exactly as decimal division does,
// half away from zero, over sums of every size (negative costs included:
// refunds can make a day's cost negative), and falls back to the division
// where integers would overflow.
func TestDerivedIntegersMatchDecimalDivision(t *testing.T) {
	check := func(tt Totals) {
		t.Helper()
		d := tt.Derived()
		got, want := [5]*decimal.Decimal{d.CTR, d.CPC, d.CPM, d.CVR, d.CPA}, byDivision(tt)
		for i := range got {
			if (got[i] == nil) != (want[i] == nil) || (got[i] != nil && !got[i].Equal(*want[i])) {
				t.Fatalf("%+v: metric %d is %v, want %v", tt, i, got[i], want[i])
			}
		}
	}
	for _, c := range []Totals{
		{Cost: dec("0.05"), Show: 2, Click: 2, Convert: 2}, {Cost: dec("-0.05"), Show: 2000, Click: 2, Convert: 2},
		{Cost: dec("0.15"), Show: 3, Click: 1, Convert: 3}, {Cost: dec("0.005"), Show: 1, Click: 1, Convert: 1},
		{Cost: dec("12.3456"), Show: 7, Click: 7, Convert: 7}, {Cost: dec("99999999999999999.99"), Show: 3, Click: 3, Convert: 3},
		{Cost: dec("1e5"), Show: math.MaxInt64, Click: math.MaxInt64 / 3, Convert: math.MaxInt64 / 7},
	} {
		check(c)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	count := func(i int) int64 { return rng.Int64N(int64(10) << (i % 50)) }
	for i := range 100000 {
		cost := decimal.New(rng.Int64N(2_000_000_000_000_000)-100_000_000_000_000, int32(-2+i%5))
		check(Totals{Cost: cost, Show: count(i), Click: count(i + 7), Convert: count(i + 13)})
	}
}

// BenchmarkDerived: Derived against the decimal division it replaces
// (go test ./internal/report/ -run '^$' -bench Derived).
func BenchmarkDerived(b *testing.B) {
	t := Totals{Cost: dec("1234.56"), Show: 98765, Click: 4321, Convert: 123}
	b.Run("integers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = t.Derived()
		}
	})
	b.Run("division", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = byDivision(t)
		}
	})
}

func TestChange(t *testing.T) {
	if c := Change(dec("0.10"), dec("0")); c != nil {
		t.Errorf("change from zero = %v, want nil", c)
	}
	if c := Change(dec("150"), dec("100")); c == nil || c.StringFixed(2) != "50.00" {
		t.Errorf("change 100→150 = %v", c)
	}
}

func TestSpecValidation(t *testing.T) {
	tests := []struct {
		name   string
		p      Params
		fields []string // fields named by the error; nil = valid
	}{
		{"valid daily", Params{Level: "ad", From: "2026-11-01", To: "2026-11-30"}, nil},
		{"valid hourly", Params{Level: "campaign", Granularity: "hour", From: "2026-11-01", To: "2026-11-30", GroupBy: []string{"hour"}}, nil},
		{"missing", Params{}, []string{"level", "from", "to"}},
		{"unknown level", Params{Level: "creative", From: "2026-11-01", To: "2026-11-01"}, []string{"level"}},
		{"hourly promotion", Params{Level: "promotion", Granularity: "hour", From: "2026-11-01", To: "2026-11-01"}, []string{"granularity"}},
		{"bad date", Params{Level: "ad", From: "2026-02-30", To: "2026-03-01"}, []string{"from"}},
		{"reversed", Params{Level: "ad", From: "2026-03-02", To: "2026-03-01"}, []string{"to"}},
		{"367 days", Params{Level: "ad", From: "2025-01-01", To: "2026-01-02"}, []string{"to"}},
		{"366 days", Params{Level: "ad", From: "2025-01-01", To: "2026-01-01"}, nil},
		{"32 hourly days", Params{Level: "ad", Granularity: "hour", From: "2026-01-01", To: "2026-02-01"}, []string{"to"}},
		{"too many ids", Params{Level: "ad", From: "2026-01-01", To: "2026-01-01", EntityIDs: make([]int64, 501)}, []string{"entity_ids"}},
		{"zero id", Params{Level: "ad", From: "2026-01-01", To: "2026-01-01", AdvertiserIDs: []int64{0}}, []string{"advertiser_ids"}},
		{"group by parent at campaign level", Params{Level: "campaign", From: "2026-01-01", To: "2026-01-01", GroupBy: []string{"parent"}}, []string{"group_by"}},
		{"order by unknown", Params{Level: "ad", From: "2026-01-01", To: "2026-01-01", OrderBy: []string{"-roi"}}, []string{"order_by"}},
	}
	for _, tc := range tests {
		_, err := tc.p.Spec()
		if tc.fields == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindValidation {
			t.Errorf("%s: err = %v, want validation_failed", tc.name, err)
			continue
		}
		var got []string
		for _, f := range e.Fields {
			got = append(got, f.Field)
		}
		for _, f := range tc.fields {
			if !slices.Contains(got, f) {
				t.Errorf("%s: fields %v do not name %s", tc.name, got, f)
			}
		}
	}
}

func TestSpecDefaultsAndNormalisation(t *testing.T) {
	s, err := Params{Level: "advertiser", Granularity: "hour", From: "2026-11-01", To: "2026-11-01",
		GroupBy: []string{"Entity", "hour", "date", "hour"}, OrderBy: []string{"cpa:desc", "entity", "cost"}}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	// The advertiser level's entity is the advertiser; dimensions in canonical order.
	if got := fmt.Sprint(s.GroupBy); got != "[date hour advertiser]" {
		t.Errorf("group_by = %s", got)
	}
	if got := fmt.Sprint(s.OrderBy); got != "[{cpa true} {advertiser false} {cost false}]" {
		t.Errorf("order_by = %s", got)
	}
	s, _ = Params{Level: "ad", From: "2026-11-01", To: "2026-11-01"}.Spec()
	if fmt.Sprint(s.GroupBy) != "[date entity]" || fmt.Sprint(s.OrderBy) != "[{date false} {cost true}]" || s.Granularity != Day {
		t.Errorf("defaults = %+v", s)
	}
}

func TestBeijingDates(t *testing.T) {
	// 16:30 UTC is 00:30 the next day in Beijing.
	at := time.Date(2026, 11, 21, 16, 30, 0, 0, time.UTC)
	if BeijingDate(at) != "2026-11-22" || BeijingHour(at) != 0 || AddDays("2026-03-01", -1) != "2026-02-28" {
		t.Errorf("beijing %s %d", BeijingDate(at), BeijingHour(at))
	}
}

func TestWriters(t *testing.T) {
	spec, err := Params{Level: "ad", From: "2026-11-01", To: "2026-11-01", GroupBy: []string{"date", "parent"}}.Spec()
	if err != nil {
		t.Fatal(err)
	}
	rows := []Row{
		{Date: "2026-11-01", AdvertiserID: 7, AdvertiserName: "广告主, \"甲\"", ParentID: 9, ParentName: "组", Totals: Totals{Cost: dec("0.10"), Show: 10, Click: 1}},
		{Date: "2026-11-01", AdvertiserID: 7, ParentID: 10, ParentName: "=HYPERLINK(\"x\")", Totals: Totals{Cost: dec("0.20"), Show: 0}},
	}
	var sum Totals
	for _, r := range rows {
		sum.Add(r.Totals)
	}
	for _, f := range []Format{CSV, XLSX} {
		var buf bytes.Buffer
		w, err := NewWriter(f, &buf, spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(sum); err != nil {
			t.Fatal(err)
		}
		var got [][]string
		switch f {
		case CSV:
			if !bytes.HasPrefix(buf.Bytes(), []byte(utf8BOM)) {
				t.Fatal("no BOM")
			}
			got, err = csv.NewReader(bytes.NewReader(buf.Bytes()[len(utf8BOM):])).ReadAll()
		case XLSX:
			x, oerr := excelize.OpenReader(&buf)
			if oerr != nil {
				t.Fatal(oerr)
			}
			got, err = x.GetRows(xlsxSheet)
			_ = x.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 || got[0][3] != "campaign_id" || got[1][2] != "广告主, \"甲\"" || got[1][5] != "0.1" && got[1][5] != "0.10" ||
			got[3][0] != "total" || f == CSV && got[2][10] != "" {
			t.Errorf("%s = %q", f, got)
		}
		wantName := "=HYPERLINK(\"x\")" // an inline string in XLSX, never a formula
		if f == CSV {
			wantName = "'" + wantName
		}
		if got[2][4] != wantName {
			t.Errorf("%s: formula-like name = %q, want %q", f, got[2][4], wantName)
		}
		if f == CSV && (got[1][5] != "0.10" || got[3][5] != "0.30" || got[3][10] != "10.00") {
			t.Errorf("csv money = %q", got)
		}
	}
	if _, err := NewWriter("pdf", &bytes.Buffer{}, spec); err == nil {
		t.Error("pdf writer created")
	}
}

func TestGapsNameTheUncoveredDays(t *testing.T) {
	r := func(from, to string) DateRange { return DateRange{from, to} }
	for _, c := range []struct {
		name  string
		spans []DateRange
		want  []DateRange
	}{
		{"nothing synced", nil, []DateRange{r("2026-01-01", "2026-01-10")}},
		{"covered", []DateRange{r("2025-12-01", "2026-02-01")}, nil},
		{"older days missing", []DateRange{r("2026-01-09", "2026-01-20")}, []DateRange{r("2026-01-01", "2026-01-08")}},
		{"newer days missing", []DateRange{r("2025-12-20", "2026-01-03")}, []DateRange{r("2026-01-04", "2026-01-10")}},
		{"hole in the middle", []DateRange{r("2026-01-01", "2026-01-02"), r("2026-01-06", "2026-01-10")}, []DateRange{r("2026-01-03", "2026-01-05")}},
		{"spans outside the range", []DateRange{r("2025-01-01", "2025-01-31"), r("2026-03-01", "2026-03-02")}, []DateRange{r("2026-01-01", "2026-01-10")}},
		{"one day on each end", []DateRange{r("2026-01-02", "2026-01-09")}, []DateRange{r("2026-01-01", "2026-01-01"), r("2026-01-10", "2026-01-10")}},
	} {
		if got := Gaps("2026-01-01", "2026-01-10", c.spans); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: gaps %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPreviousPeriod(t *testing.T) {
	for _, c := range []struct{ from, to, pFrom, pTo string }{
		{"2026-12-03", "2026-12-03", "2026-12-02", "2026-12-02"},
		{"2026-11-27", "2026-12-03", "2026-11-20", "2026-11-26"},
		{"2026-03-01", "2026-03-31", "2026-01-29", "2026-02-28"},
	} {
		p := Spec{From: c.from, To: c.to}.PreviousPeriod()
		if p.From != c.pFrom || p.To != c.pTo {
			t.Errorf("%s..%s: previous %s..%s, want %s..%s", c.from, c.to, p.From, p.To, c.pFrom, c.pTo)
		}
	}
}
