package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oceanops/adplatform/internal/adops"
	"github.com/oceanops/adplatform/internal/apperr"
)

// sheetResponse is an uploaded workbook's first worksheet as text cells.
type sheetResponse struct {
	Sheet string `json:"sheet"`
	// Rows[i] is row i+1 (an empty row is []).
	Rows      [][]string `json:"rows"`
	TotalRows int        `json:"total_rows"`
	ValueRows int        `json:"value_rows"`
}

// readSheet is POST /api/v1/imports/sheet: the first worksheet of an Excel
// workbook uploaded as multipart field "file", as text cells, for the
// console's import of budgets and bids (which checks them as it checks a
// CSV file's lines). Nothing is stored; the audit entry names the file.
func (s *Server) readSheet(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		e := apperr.Invalid(`the body must be multipart/form-data with the workbook in the field "file"`).WithReason("sheet_file_missing")
		e.Err = err
		fail(c, e)
		return
	}
	auditDetail(c, "file", cut(fh.Filename, 100))
	auditDetail(c, "bytes", fh.Size)
	f, err := fh.Open()
	if err != nil {
		fail(c, err)
		return
	}
	defer func() { _ = f.Close() }()
	sheet, err := adops.ReadSheet(f)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "rows", sheet.TotalRows)
	out := sheetResponse{Sheet: sheet.Name, Rows: sheet.Rows, TotalRows: sheet.TotalRows, ValueRows: sheet.ValueRows}
	for i, row := range out.Rows {
		if row == nil {
			out.Rows[i] = []string{}
		}
	}
	respond(c, http.StatusOK, out)
}
