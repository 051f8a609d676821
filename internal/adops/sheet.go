package adops

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/apperr"
)

// Budgets and bids are planned in spreadsheets: the console's import takes
// a CSV file as it is, and an Excel workbook through ReadSheet, which gives
// it the cells to check the same way.

const (
	// SheetMaxRows is how many rows holding a value ReadSheet returns: a
	// header row and the 1,000 lines the import takes (the blank rows
	// among them too, as empty rows); more are counted, not returned.
	SheetMaxRows = 1001
	// SheetMaxCells is how many cells of a row ReadSheet returns.
	SheetMaxCells = 20
	// sheetUnzipLimit bounds what a workbook may unpack to, so a small
	// upload cannot expand into gigabytes.
	sheetUnzipLimit = 32 << 20
)

// Sheet is the first worksheet of a workbook as text.
type Sheet struct {
	Name string
	// Rows are its rows from the first: Rows[i] is row i+1 as Excel
	// numbers it (an empty row is an empty slice). A cell is its value as
	// stored, not as displayed: a number as written ("1234.5", not
	// "¥1,234.50"), except a whole number of more than 15 digits in a
	// number cell — an id Excel could not keep — which reads as Excel
	// shows it ("1.70835961247394E+15"), so the import names it.
	Rows [][]string
	// TotalRows counts its rows up to the last holding a value, those
	// beyond Rows included; ValueRows counts those of them holding a value
	// (a cell not blank), as the import counts its lines.
	TotalRows, ValueRows int
}

// ReadSheet reads the first worksheet of an Excel workbook (.xlsx). A file
// that is not one answers KindInvalid, reason sheet_unreadable.
func ReadSheet(r io.Reader) (Sheet, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: sheetUnzipLimit, UnzipXMLSizeLimit: sheetUnzipLimit})
	if err != nil {
		return Sheet{}, unreadable(err)
	}
	defer func() { _ = f.Close() }()
	names := f.GetSheetList()
	if len(names) == 0 {
		return Sheet{}, unreadable(errors.New("no worksheet"))
	}
	rows, err := f.GetRows(names[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return Sheet{}, unreadable(err)
	}
	s := Sheet{Name: names[0], TotalRows: len(rows)}
	// Rows up to the SheetMaxRows-th holding a value: blank rows between
	// lines do not count towards what the import takes.
	n := len(rows)
	for i, row := range rows {
		if !holdsValue(row) {
			continue
		}
		if s.ValueRows++; s.ValueRows == SheetMaxRows {
			n = min(n, i+1)
		}
	}
	s.Rows = rows[:n]
	for i, row := range s.Rows {
		row = row[:min(len(row), SheetMaxCells)]
		for j, v := range row {
			if len(v) > excelDigits && strings.Trim(v, "0123456789") == "" && isNumberCell(f, names[0], j+1, i+1) {
				row[j] = asExcelShows(v)
			}
		}
		s.Rows[i] = row
	}
	return s, nil
}

// holdsValue reports whether a row has a cell that is not blank among the
// SheetMaxCells returned.
func holdsValue(row []string) bool {
	return slices.ContainsFunc(row[:min(len(row), SheetMaxCells)], func(c string) bool { return strings.TrimSpace(c) != "" })
}

// excelDigits is how many significant digits Excel keeps of a number: an
// id of 16 digits or more typed into a number cell is not the id typed.
const excelDigits = 15

func isNumberCell(f *excelize.File, sheet string, col, row int) bool {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return false
	}
	t, err := f.GetCellType(sheet, ref)
	return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset)
}

// asExcelShows writes a long number as Excel shows it in a General cell
// ("1.70835961247394E+15"), which the import names as an id Excel rounded.
func asExcelShows(v string) string {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	return strconv.FormatFloat(n, 'E', excelDigits-1, 64)
}

func unreadable(err error) error {
	e := apperr.Invalid("the file is not an Excel workbook (.xlsx) that can be read").WithReason("sheet_unreadable")
	e.Err = err
	return e
}
