package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Format is an export file format.
type Format string

// Export formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == CSV || f == XLSX }

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// utf8BOM makes Excel open a CSV as UTF-8, so Chinese names are not mojibake.
const utf8BOM = "\uFEFF"

// Column is one column of an export.
type Column struct {
	Key    string
	Header string
}

// Columns lists the export columns of spec: its dimensions, then the base
// and derived metrics.
func Columns(spec Spec) []Column {
	var cols []Column
	if spec.Grouped(DimDate) {
		cols = append(cols, Column{"date", "date"})
	}
	if spec.Grouped(DimHour) {
		cols = append(cols, Column{"hour", "hour"})
	}
	if spec.Grouped(DimClient) {
		cols = append(cols, Column{"client_id", "client_id"}, Column{"client_name", "client_name"})
	}
	if spec.Grouped(DimManager) {
		cols = append(cols, Column{"manager_id", "manager_id"}, Column{"manager_name", "manager_name"})
	}
	if spec.Grouped(DimAdvertiser) || spec.Grouped(DimEntity) || spec.Grouped(DimParent) {
		cols = append(cols, Column{"advertiser_id", "advertiser_id"}, Column{"advertiser_name", "advertiser_name"})
	}
	if spec.Grouped(DimEntity) {
		cols = append(cols, Column{"entity_id", string(spec.Level) + "_id"}, Column{"entity_name", string(spec.Level) + "_name"})
	}
	if spec.Grouped(DimParent) {
		p := string(spec.Level.Parent())
		cols = append(cols, Column{"parent_id", p + "_id"}, Column{"parent_name", p + "_name"})
	}
	return append(cols,
		Column{MetricCost, "cost"}, Column{MetricShow, "show"}, Column{MetricClick, "click"},
		Column{MetricConvert, "convert"}, Column{MetricDeepConvert, "deep_convert"},
		Column{MetricCTR, "ctr_percent"}, Column{MetricCPC, "cpc"}, Column{MetricCPM, "cpm"},
		Column{MetricCVR, "cvr_percent"}, Column{MetricCPA, "cpa"})
}

// cell is one typed export value: exactly one of the fields is used.
type cell struct {
	text  string
	num   int64
	money *decimal.Decimal
	isNum bool
	null  bool
	// isID marks an OceanEngine id (16-19 digits): a text cell in XLSX,
	// where a number would be rounded to 15 significant digits.
	isID bool
	// isDate marks a Beijing date (text YYYY-MM-DD): a date cell in XLSX.
	isDate bool
}

// idCell is an id cell; 0 (no manager) is empty.
func idCell(id int64) cell {
	if id == 0 {
		return cell{null: true}
	}
	return cell{num: id, isNum: true, isID: true}
}

// values renders a row (or, with summary=true, the summary line) as cells
// in the order of Columns.
func values(cols []Column, r Row, summary bool) []cell {
	d := r.Derived()
	out := make([]cell, 0, len(cols))
	for i, c := range cols {
		if summary && i < len(cols)-len(Metrics()) {
			if i == 0 {
				out = append(out, cell{text: "total"})
			} else {
				out = append(out, cell{null: true})
			}
			continue
		}
		var v cell
		switch c.Key {
		case "date":
			v = cell{text: r.Date, isDate: true}
		case "hour":
			v = cell{num: int64(r.Hour), isNum: true}
		case "client_id":
			if r.ClientID != 0 {
				v = cell{num: r.ClientID, isNum: true}
			} else {
				v.null = true
			}
		case "client_name":
			v.text = r.ClientName
		case "manager_id":
			v = idCell(r.ManagerID)
		case "manager_name":
			v.text = r.ManagerName
		case "advertiser_id":
			v = idCell(r.AdvertiserID)
		case "advertiser_name":
			v.text = r.AdvertiserName
		case "entity_id":
			v = idCell(r.EntityID)
		case "entity_name":
			v.text = r.EntityName
		case "parent_id":
			v = idCell(r.ParentID)
		case "parent_name":
			v.text = r.ParentName
		case MetricCost:
			cost := r.Cost
			v.money = &cost
		case MetricShow:
			v = cell{num: r.Show, isNum: true}
		case MetricClick:
			v = cell{num: r.Click, isNum: true}
		case MetricConvert:
			v = cell{num: r.Convert, isNum: true}
		case MetricDeepConvert:
			v = cell{num: r.DeepConvert, isNum: true}
		case MetricCTR:
			v = optCell(d.CTR)
		case MetricCPC:
			v = optCell(d.CPC)
		case MetricCPM:
			v = optCell(d.CPM)
		case MetricCVR:
			v = optCell(d.CVR)
		case MetricCPA:
			v = optCell(d.CPA)
		}
		out = append(out, v)
	}
	return out
}

func optCell(d *decimal.Decimal) cell {
	if d == nil {
		return cell{null: true}
	}
	return cell{money: d}
}

// Writer writes the rows of one export file. Rows are written as they come
// (never collected); Close writes the summary line and completes the file.
type Writer interface {
	Write(Row) error
	Close(summary Totals) error
}

// NewWriter starts an export file of format f for spec on w.
func NewWriter(f Format, w io.Writer, spec Spec) (Writer, error) {
	switch f {
	case CSV:
		return newCSVWriter(w, spec)
	case XLSX:
		return newXLSXWriter(w, spec)
	}
	return nil, fmt.Errorf("report: unknown export format %q", f)
}

type csvWriter struct {
	spec Spec
	cols []Column
	buf  *bufio.Writer
	w    *csv.Writer
	rec  []string
}

func newCSVWriter(w io.Writer, spec Spec) (*csvWriter, error) {
	buf := bufio.NewWriterSize(w, 64<<10)
	if _, err := buf.WriteString(utf8BOM); err != nil {
		return nil, err
	}
	cw := &csvWriter{spec: spec, cols: Columns(spec), buf: buf, w: csv.NewWriter(buf)}
	header := make([]string, len(cw.cols))
	for i, c := range cw.cols {
		header[i] = c.Header
	}
	if err := cw.w.Write(header); err != nil {
		return nil, err
	}
	cw.rec = make([]string, len(cw.cols))
	return cw, nil
}

func (cw *csvWriter) write(cells []cell) error {
	for i, c := range cells {
		switch {
		case c.null:
			cw.rec[i] = ""
		case c.money != nil:
			cw.rec[i] = c.money.StringFixed(2)
		case c.isNum:
			cw.rec[i] = strconv.FormatInt(c.num, 10)
		default:
			cw.rec[i] = csvText(c.text)
		}
	}
	return cw.w.Write(cw.rec)
}

// csvText defuses text that a spreadsheet would run as a formula (names
// come from advertisers' own accounts): a leading =, +, -, @, tab or CR
// gets a quote in front, as OWASP recommends. XLSX text cells are never
// formulas and are written as they are.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (cw *csvWriter) Write(r Row) error { return cw.write(values(cw.cols, r, false)) }

func (cw *csvWriter) Close(summary Totals) error {
	if err := cw.write(values(cw.cols, Row{Totals: summary}, true)); err != nil {
		return err
	}
	cw.w.Flush()
	if err := cw.w.Error(); err != nil {
		return err
	}
	return cw.buf.Flush()
}

// xlsxWriter streams rows into one sheet with excelize's StreamWriter, which
// keeps a bounded part of the sheet in memory and spills the rest to a
// temporary file; the zip container is written to w on Close.
//
// Cells are typed for Excel: ids are text (OceanEngine ids have 16-19
// digits and Excel keeps 15 significant digits of a number), money and the
// derived metrics are numbers shown with two decimals, dates are dates, and
// the header row is frozen.
type xlsxWriter struct {
	spec Spec
	cols []Column
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	vals []any
	// styles of money (0.00) and date (yyyy-mm-dd) cells.
	money, date int
}

const xlsxSheet = "report"

func newXLSXWriter(w io.Writer, spec Spec) (*xlsxWriter, error) {
	f := excelize.NewFile()
	xw := &xlsxWriter{spec: spec, cols: Columns(spec), out: w, f: f, row: 1}
	if err := xw.start(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("report: xlsx: %w", err)
	}
	xw.vals = make([]any, len(xw.cols))
	return xw, nil
}

// start names the sheet, creates the styles, sets column widths, freezes
// and writes the header row.
func (xw *xlsxWriter) start() error {
	f := xw.f
	if err := f.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return err
	}
	var err error
	if xw.money, err = f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil { // 0.00
		return err
	}
	dateFmt := "yyyy-mm-dd"
	if xw.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if xw.sw, err = f.NewStreamWriter(xlsxSheet); err != nil {
		return err
	}
	// Panes and widths must precede the first row.
	if err := xw.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	for i, c := range xw.cols {
		width := 12.0
		switch {
		case strings.HasSuffix(c.Key, "_id"):
			width = 21
		case strings.HasSuffix(c.Key, "_name"):
			width = 28
		}
		if err := xw.sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	row := make([]any, len(xw.cols))
	for i, c := range xw.cols {
		row[i] = excelize.Cell{StyleID: header, Value: c.Header}
	}
	return xw.setRow(row)
}

func (xw *xlsxWriter) setRow(vals []any) error {
	if xw.row > MaxExportRows+2 {
		return fmt.Errorf("report: xlsx: more than %d rows", MaxExportRows)
	}
	ref, err := excelize.CoordinatesToCellName(1, xw.row)
	if err != nil {
		return fmt.Errorf("report: xlsx: %w", err)
	}
	if err := xw.sw.SetRow(ref, vals); err != nil {
		return fmt.Errorf("report: xlsx row %d: %w", xw.row, err)
	}
	xw.row++
	return nil
}

func (xw *xlsxWriter) write(cells []cell) error {
	for i, c := range cells {
		switch {
		case c.null:
			xw.vals[i] = nil
		case c.isID:
			xw.vals[i] = strconv.FormatInt(c.num, 10)
		case c.isDate:
			d, err := time.Parse(DateLayout, c.text)
			if err != nil {
				return fmt.Errorf("report: xlsx date %q: %w", c.text, err)
			}
			xw.vals[i] = excelize.Cell{StyleID: xw.date, Value: d}
		case c.money != nil:
			// XLSX numbers are IEEE doubles by the format's definition; the
			// shortest representation of the 2-decimal amount is written, which
			// reads back exactly for amounts below 10^13 yuan.
			xw.vals[i] = excelize.Cell{StyleID: xw.money, Value: c.money.InexactFloat64()}
		case c.isNum:
			xw.vals[i] = c.num
		default:
			xw.vals[i] = c.text
		}
	}
	return xw.setRow(xw.vals)
}

func (xw *xlsxWriter) Write(r Row) error { return xw.write(values(xw.cols, r, false)) }

func (xw *xlsxWriter) Close(summary Totals) error {
	defer xw.f.Close()
	if err := xw.write(values(xw.cols, Row{Totals: summary}, true)); err != nil {
		return err
	}
	if err := xw.sw.Flush(); err != nil {
		return fmt.Errorf("report: xlsx flush: %w", err)
	}
	if _, err := xw.f.WriteTo(xw.out); err != nil {
		return fmt.Errorf("report: xlsx write: %w", err)
	}
	return nil
}
