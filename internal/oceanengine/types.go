package oceanengine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Beijing is the platform's time zone for timestamps and report dates.
// China has not observed daylight saving since 1991, so a fixed +08:00 zone
// is exact and needs no tzdata.
var Beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// Layouts of the platform's date and time strings.
const (
	LayoutDate     = "2006-01-02"
	LayoutDateTime = "2006-01-02 15:04:05"
)

// DateOf formats t as a Beijing date (YYYY-MM-DD), the form report and
// filter parameters take.
func DateOf(t time.Time) string { return t.In(Beijing).Format(LayoutDate) }

// unquote strips the quotes of a JSON string holding a scalar, so numbers
// that arrive quoted ("1764248275995652") decode like bare ones.
func unquote(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// decodeScalar decodes into *v a scalar that may arrive quoted: null leaves
// *v as it is, an empty string zeroes it and anything else goes through
// parse; what parse refuses is reported as "<what> <b> is not <want>".
func decodeScalar[T any](b []byte, v *T, what, want string, parse func(string) (T, error)) error {
	if isNull(b) {
		return nil
	}
	s := unquote(b)
	if len(s) == 0 {
		var zero T
		*v = zero
		return nil
	}
	x, err := parse(string(s))
	if err != nil {
		return fmt.Errorf("oceanengine: %s %s is not %s", what, truncate(string(b), 40), want)
	}
	*v = x
	return nil
}

// ID is a platform id (16+ digits, so never a float). It decodes from a JSON
// number or a quoted number and encodes as a bare number.
type ID int64

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(b []byte) error {
	return decodeScalar(b, id, "id", "an integer", func(s string) (ID, error) {
		v, err := strconv.ParseInt(s, 10, 64)
		return ID(v), err
	})
}

// Int is a count (shows, clicks, conversions) that may arrive quoted.
type Int = ID

// Money is an exact amount in yuan. It decodes from a JSON number or a quoted
// number without passing through float64, and encodes as a bare JSON number,
// as the platform's write endpoints expect.
type Money struct{ decimal.Decimal }

// Yuan returns the amount s (e.g. "300.50") or an error if s is not a number.
func Yuan(s string) (Money, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Money{}, fmt.Errorf("oceanengine: amount %q: %w", s, err)
	}
	return Money{d}, nil
}

// MustYuan is Yuan for constants; it panics on a malformed amount.
func MustYuan(s string) Money {
	m, err := Yuan(s)
	if err != nil {
		panic(err)
	}
	return m
}

// FromFen returns the amount of fen/100 yuan.
func FromFen(fen int64) Money { return Money{decimal.New(fen, -2)} }

// Fen returns the amount in fen; ok is false when it has more than two
// decimals or does not fit an int64.
func (m Money) Fen() (fen int64, ok bool) {
	f := m.Decimal.Shift(2)
	if !f.IsInteger() || f.Abs().GreaterThan(decimal.New(1, 18)) {
		return 0, false
	}
	return f.IntPart(), true
}

// String renders the amount with at least two decimals ("300.00").
func (m Money) String() string {
	if m.Decimal.Exponent() >= -2 {
		return m.Decimal.StringFixed(2)
	}
	return m.Decimal.String()
}

// MarshalJSON implements json.Marshaler: a bare number.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (m *Money) UnmarshalJSON(b []byte) error {
	return decodeScalar(b, m, "amount", "a number", func(s string) (Money, error) {
		d, err := decimal.NewFromString(s)
		return Money{d}, err
	})
}

// Decimal is an exact non-money figure (a percentage such as ctr) that may
// arrive quoted.
type Decimal = Money

// Time is a platform timestamp "yyyy-MM-dd HH:mm:ss" in Beijing time. It
// encodes back to the same text (campaign updates must echo modify_time as
// read). The zero Time encodes as "".
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("oceanengine: time %s is not a string", truncate(string(b), 40))
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	layout := LayoutDateTime
	if len(s) == len(LayoutDate) {
		layout = LayoutDate
	}
	v, err := time.ParseInLocation(layout, s, Beijing)
	if err != nil {
		return fmt.Errorf("oceanengine: time %q: %w", s, err)
	}
	t.Time = v
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) { return json.Marshal(t.Text()) }

// Text returns the platform form of t ("" for the zero time).
func (t Time) Text() string {
	if t.IsZero() {
		return ""
	}
	return t.In(Beijing).Format(LayoutDateTime)
}

// Date returns the Beijing date of t (YYYY-MM-DD), as reports key their rows.
func (t Time) Date() string { return t.In(Beijing).Format(LayoutDate) }

// Hour returns the Beijing hour of t (0–23).
func (t Time) Hour() int { return t.In(Beijing).Hour() }

// Values holds a row of the v3 custom report, where every value is a string.
type Values map[string]string

// Int returns the named value as an integer (0 when absent or empty).
func (v Values) Int(name string) (int64, error) {
	s := v[name]
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("oceanengine: %s=%q is not an integer", name, s)
	}
	return n, nil
}

// Money returns the named value as an exact amount (0 when absent or empty).
func (v Values) Money(name string) (Money, error) {
	s := v[name]
	if s == "" {
		return Money{}, nil
	}
	return Yuan(s)
}

// PageInfo is the platform's page-based paging block.
type PageInfo struct {
	Page        int `json:"page"`
	PageSize    int `json:"page_size"`
	TotalNumber int `json:"total_number"`
	TotalPage   int `json:"total_page"`
}

// UnmarshalJSON accepts numbers that arrive quoted.
func (p *PageInfo) UnmarshalJSON(b []byte) error {
	var tmp struct {
		Page        ID `json:"page"`
		PageSize    ID `json:"page_size"`
		TotalNumber ID `json:"total_number"`
		TotalPage   ID `json:"total_page"`
	}
	if err := json.Unmarshal(b, &tmp); err != nil {
		return err
	}
	*p = PageInfo{Page: int(tmp.Page), PageSize: int(tmp.PageSize), TotalNumber: int(tmp.TotalNumber), TotalPage: int(tmp.TotalPage)}
	return nil
}

// CursorInfo is the platform's cursor-based paging block.
type CursorInfo struct {
	Cursor  ID   `json:"cursor"`
	Count   Int  `json:"count"`
	HasMore bool `json:"has_more"`
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
