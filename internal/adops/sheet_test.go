package adops_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
)

// workbook writes an .xlsx whose first sheet is named name and holds cells
// (by reference, "A1": value), with a second sheet that must not be read.
func workbook(t *testing.T, name string, cells map[string]any, style func(*excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		t.Fatal(err)
	}
	for ref, v := range cells {
		if err := f.SetCellValue(name, ref, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("其他"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("其他", "A1", "not this one"); err != nil {
		t.Fatal(err)
	}
	if style != nil {
		style(f)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadSheet: the first sheet's cells as stored — ids kept as text
// whole, an id typed as a number as Excel stored it, amounts unformatted —
// with each row at its Excel row number (an empty row kept), and what is
// not a workbook refused in words.
func TestReadSheet(t *testing.T) {
	b := workbook(t, "预算", map[string]any{
		"A1": "广告计划 ID", "B1": "预算",
		"A2": "1708359612473935", "B2": 1234.5,
		"A4": 1708359612473935, "B4": "不限",
		"A5": "1708359612473936", "B5": 500,
	}, func(f *excelize.File) {
		money, err := f.NewStyle(&excelize.Style{NumFmt: 8}) // ¥#,##0.00 as the cell shows it
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle("预算", "B2", "B5", money); err != nil {
			t.Fatal(err)
		}
	})
	s, err := adops.ReadSheet(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "预算" || s.TotalRows != 5 || len(s.Rows) != 5 {
		t.Fatalf("sheet %q, %d rows of %d: %q", s.Name, len(s.Rows), s.TotalRows, s.Rows)
	}
	want := [][]string{{"广告计划 ID", "预算"}, {"1708359612473935", "1234.5"}, {}, {"", "不限"}, {"1708359612473936", "500"}}
	for i, row := range want {
		if i == 3 {
			// An id typed as a number: stored as a double, past its 15 digits.
			if got := s.Rows[3]; len(got) != 2 || got[0] != "1.70835961247394E+15" || got[1] != "不限" {
				t.Errorf("row 4 = %q, want the number as Excel stored it and 不限", got)
			}
			continue
		}
		if strings.Join(s.Rows[i], "|") != strings.Join(row, "|") || len(s.Rows[i]) != len(row) {
			t.Errorf("row %d = %q, want %q", i+1, s.Rows[i], row)
		}
	}

	for _, bad := range [][]byte{[]byte("id,budget\n1,300\n"), nil, b[:len(b)/2]} {
		_, err := adops.ReadSheet(bytes.NewReader(bad))
		if r, ok := apperr.RefusalOf(err); !ok || r.Code != apperr.KindInvalid || r.Reason != "sheet_unreadable" {
			t.Errorf("%d bytes that are no workbook: %v", len(bad), err)
		}
	}
}

// TestReadSheetBounds: rows past SheetMaxRows are counted, not returned;
// cells past SheetMaxCells are dropped.
func TestReadSheetBounds(t *testing.T) {
	cells := map[string]any{"Z1": "far"}
	for r := 1; r <= adops.SheetMaxRows+5; r++ {
		ref, _ := excelize.CoordinatesToCellName(1, r)
		cells[ref] = r
	}
	s, err := adops.ReadSheet(bytes.NewReader(workbook(t, "Sheet1", cells, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.TotalRows != adops.SheetMaxRows+5 || len(s.Rows) != adops.SheetMaxRows || len(s.Rows[0]) != adops.SheetMaxCells {
		t.Fatalf("%d rows of %d, first row %d cells", len(s.Rows), s.TotalRows, len(s.Rows[0]))
	}
	if s.Rows[adops.SheetMaxRows-1][0] != strconv.Itoa(adops.SheetMaxRows) {
		t.Fatalf("last row returned %q", s.Rows[adops.SheetMaxRows-1])
	}
	if s.ValueRows != adops.SheetMaxRows+5 {
		t.Errorf("%d rows holding a value, want %d", s.ValueRows, adops.SheetMaxRows+5)
	}

	// A header and 1,000 lines with blank rows among them (and one of
	// spaces): every line is returned, the blank rows as empty rows, and
	// only the lines and the header count as holding a value.
	cells = map[string]any{"A1": "id", "B1": "budget"}
	row := 1
	for line := 1; line <= adops.SheetMaxRows-1; line++ {
		if row++; line%250 == 0 {
			if line == 250 {
				cells["C"+strconv.Itoa(row)] = "  " // spaces only
			}
			row++ // a blank row before every 250th line
		}
		cells["A"+strconv.Itoa(row)], cells["B"+strconv.Itoa(row)] = strconv.Itoa(line), 300
	}
	s, err = adops.ReadSheet(bytes.NewReader(workbook(t, "Sheet1", cells, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.TotalRows != row || len(s.Rows) != row || s.ValueRows != adops.SheetMaxRows || s.Rows[row-1][0] != "1000" {
		t.Fatalf("%d rows of %d, %d holding a value, last %q; want all %d, %d holding a value", len(s.Rows), s.TotalRows, s.ValueRows, s.Rows[len(s.Rows)-1], row, adops.SheetMaxRows)
	}
}
