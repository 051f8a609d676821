package oceanengine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzDecodeResponse decodes arbitrary bytes as a platform envelope and as
// an entity page with ids, amounts, times and paging: a malformed or hostile
// answer is an error, never a panic, and an amount that decodes to a whole
// number of fen encodes back to the same number of fen.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{
		`{"code":0,"message":"OK","request_id":"r1","data":{"list":[{"id":"1764248275995652","budget":"300.50","campaign_create_time":"2025-06-18 14:30:05"}],"page_info":{"page":1,"page_size":"10","total_number":1,"total_page":1}}}`,
		`{"code":"40100","message":"too frequent","data":null}`,
		`{"code":0,"data":{"list":[{"id":1,"budget":0.1,"campaign_modify_time":"2025-06-18"}],"page_info":{"page":"x"}}}`,
		`{"code":0,"data":{"list":[{"budget":"1e3"},{"budget":"-0.01"},{"budget":12345678901234.57}]}}`,
		`{"code":0,"data":{"list":[{"budget":"1.005","campaign_create_time":""}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var env envelope
		if json.Unmarshal(b, &env) != nil {
			return
		}
		var page CampaignPage
		if json.Unmarshal(env.Data, &page) != nil {
			return
		}
		for _, c := range page.List {
			checkFenRoundTrip(t, c.Budget)
			_ = c.CampaignCreateTime.Text()
		}
	})
}

// FuzzMoney checks an amount read from text: Yuan and the JSON decoder
// agree, and an amount of whole fen round-trips exactly through Fen,
// FromFen, String and the JSON encoding.
func FuzzMoney(f *testing.F) {
	for _, s := range []string{"300", "300.50", "0.1", "-12.34", "1.005", "1e3", "1E-2", "+5", " 7 ", "12345678901234.57",
		"92233720368547758.07", "1e10000", "0e-10000", ".5", "5.", "--1", "NaN", "Infinity"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Yuan(s)
		var j Money
		quoted, _ := json.Marshal(s)
		jerr := j.UnmarshalJSON(quoted)
		if s == "" || strings.TrimSpace(s) != s {
			return // the JSON decoder zeroes "" and trims; Yuan does not
		}
		if (err == nil) != (jerr == nil) || err == nil && !m.Equal(j.Decimal) {
			t.Fatalf("Yuan(%q) = %v, %v; JSON decodes %v, %v", s, m, err, j, jerr)
		}
		if err == nil {
			checkFenRoundTrip(t, m)
		}
	})
}

// checkFenRoundTrip checks that m, when it is a whole number of fen, survives
// Fen → FromFen, String → Yuan and MarshalJSON → UnmarshalJSON unchanged.
func checkFenRoundTrip(t *testing.T, m Money) {
	t.Helper()
	fen, ok := m.Fen()
	if !ok {
		return
	}
	if back := FromFen(fen); !back.Equal(m.Decimal) {
		t.Fatalf("%s yuan = %d fen = %s yuan", m, fen, back)
	}
	again, err := Yuan(m.String())
	if err != nil || !again.Equal(m.Decimal) {
		t.Fatalf("String %q reads back as %v, %v", m.String(), again, err)
	}
	b, _ := m.MarshalJSON()
	var j Money
	if err := j.UnmarshalJSON(b); err != nil || !j.Equal(m.Decimal) {
		t.Fatalf("JSON %s decodes to %v, %v", b, j, err)
	}
	if f2, _ := j.Fen(); f2 != fen {
		t.Fatalf("JSON %s is %d fen, want %d", b, f2, fen)
	}
}

// FuzzCursor pages through a list whose cursor_info the platform answers
// from next (the next cursor of cursor c is next[c mod len]): whatever the
// cursors, the walk ends, after at most one page per distinct cursor.
func FuzzCursor(f *testing.F) {
	f.Add([]byte{3, 6, 9, 0})
	f.Add([]byte{5, 0})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, next []byte) {
		if len(next) == 0 {
			return
		}
		calls := 0
		fetch := func(_ context.Context, cursor int64) ([]int, CursorInfo, error) {
			calls++
			if calls > 300 {
				t.Fatalf("cursors %v: still paging after %d pages", next, calls-1)
			}
			n := int64(next[cursor%int64(len(next))])
			return []int{int(cursor)}, CursorInfo{Cursor: ID(n), HasMore: true}, nil
		}
		for _, err := range Cursor(context.Background(), fetch) {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
