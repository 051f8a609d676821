package adops

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/oceanengine"
	"github.com/oceanops/adplatform/internal/report"
)

// A values sheet is the other way of the import: the current budgets or
// bids of entities as a workbook laid out as the import reads one — the id
// and the value first, which it reads, then what tells the lines apart,
// which it does not — so that an operator edits the values and imports the
// file back; a line left as it was is "already so" in the dry run.

// SheetMaxLines is how many entities a values sheet holds: as many lines
// as the import takes from one file.
const SheetMaxLines = SheetMaxRows - 1

// SheetLine is an entity's line in a values sheet.
type SheetLine struct {
	ID int64
	// Value is the entity's value of the sheet's field: an amount, a
	// budget without limit, or not known (an empty cell).
	Value          Value
	Name           string
	AdvertiserID   int64
	AdvertiserName string
	ParentID       int64 // the campaign of an ad, the project of a promotion
	ParentName     string
}

// SheetLineOf is a listed entity's line of field, and whether it has the
// field at all: an ad its bid or its target CPA by its pricing, as a
// change of it goes (BidField); its value as the change's "before" reads.
func SheetLineOf(k Kind, f Field, e report.Entity) (SheetLine, bool) {
	if !k.Has(f) || (f == FieldBid || f == FieldCpaBid) && BidField(k, e.Pricing) != f {
		return SheetLine{}, false
	}
	l := SheetLine{ID: e.ID, Name: e.Name, AdvertiserID: e.AdvertiserID, AdvertiserName: e.AdvertiserName, ParentID: e.ParentID, ParentName: e.ParentName}
	switch {
	case f == FieldBudget && (e.BudgetMode == oceanengine.BudgetModeInfinite || e.BudgetMode == ""):
		l.Value = UnlimitedValue()
	case f == FieldBudget:
		l.Value = AmountValue(e.Budget)
	case f == FieldBid && e.Bid != nil:
		l.Value = AmountValue(*e.Bid)
	case f == FieldCpaBid && e.CPABid != nil:
		l.Value = AmountValue(*e.CPABid)
	}
	return l, true
}

// WriteValuesSheet writes the lines' values of field as a workbook. parent
// names the lines' parent kind ("campaign", "project"), "" for none. Ids
// are text cells: a number cell keeps 15 digits, and a 16-digit id would
// come back rounded. An amount is a number cell (0.00); a budget without
// limit reads "unlimited", which the import takes back.
func WriteValuesSheet(w io.Writer, field Field, parent string, lines []SheetLine) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	sheet := f.GetSheetName(0)
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return fmt.Errorf("values sheet style: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("values sheet style: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("values sheet: %w", err)
	}
	header := []string{"id", string(field), "name", "advertiser_id", "advertiser_name"}
	if parent != "" {
		header = append(header, parent+"_id", parent+"_name")
	}
	for i, width := range []float64{20, 14, 36, 20, 28, 20, 36}[:len(header)] {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("values sheet: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("values sheet: %w", err)
	}
	row := make([]any, len(header))
	for i, h := range header {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("values sheet: %w", err)
	}
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	for n, l := range lines {
		row = []any{id(l.ID), valueCell(l.Value, money), l.Name, id(l.AdvertiserID), l.AdvertiserName}
		if parent != "" {
			row = append(row, id(l.ParentID), l.ParentName)
		}
		ref, err := excelize.CoordinatesToCellName(1, n+2)
		if err == nil {
			err = sw.SetRow(ref, row)
		}
		if err != nil {
			return fmt.Errorf("values sheet line %d: %w", n+1, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("values sheet: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("values sheet: %w", err)
	}
	return nil
}

// valueCell is a value's cell: a number in yuan, "unlimited", or empty.
func valueCell(v Value, money int) any {
	switch {
	case v.IsAmount:
		return excelize.Cell{StyleID: money, Value: v.Amount.InexactFloat64()}
	case v.Unlimited:
		return Unlimited
	}
	return nil
}
