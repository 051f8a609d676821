package httpapi

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/report"
)

// exportMaxRows is the most rows one CSV export writes (the change log's,
// the audit log's): a larger selection is refused, to be narrowed.
const exportMaxRows = 100_000

// exportPage is how many rows an export reads at a time.
const exportPage = 1000

// csvExport is the CSV export of a list: name names the file
// (<name>_<Beijing time>.csv), noun and rule the refusal of a selection of
// more than exportMaxRows; header and record are the file's columns and a
// row's line (adops.ChangeRecord, auth.AuditRecord); list reads up to
// limit rows of the selection, after the row after (nil: from the first),
// and counts them all.
type csvExport[T any] struct {
	name, noun, rule string
	header           []string
	record           func(T) ([]string, error)
	list             func(ctx context.Context, limit int, after *T) ([]T, int64, error)
}

// exportFilter binds an export's query (its list's) and returns the filter
// it makes; false when the error was answered.
func exportFilter[Q interface{ filter() (F, error) }, F any](s *Server, c *gin.Context) (F, bool) {
	var q Q
	if err := s.bindQuery(c, &q); err != nil {
		fail(c, err)
		var none F
		return none, false
	}
	f, err := q.filter()
	if err != nil {
		fail(c, err)
		return f, false
	}
	return f, true
}

// exportEnd is the end of an export's selection: the list's own end, or now
// when that is open or later, so that rows made while the file is written
// neither shift its pages nor join it.
func exportEnd(to, now time.Time) time.Time {
	if to.IsZero() || to.After(now) {
		return now
	}
	return to
}

// serveCSV answers the file of e: refused (422, on from) when it would hold
// more than exportMaxRows rows, else every row selected, a page at a time.
// A failure once the file has begun cuts the connection, so that a client
// never takes a file cut short for a whole one; a client that leaves is
// logged as such.
func serveCSV[T any](c *gin.Context, now time.Time, e csvExport[T]) {
	ctx := c.Request.Context()
	_, total, err := e.list(ctx, 1, nil)
	if err != nil {
		fail(c, err)
		return
	}
	if total > exportMaxRows {
		fail(c, apperr.Validation(apperr.Field("from", "selects %d %s, more than the %d one export writes: narrow the time range or the filters",
			total, e.noun, exportMaxRows).Because(e.rule, "rows", total, "max", exportMaxRows)))
		return
	}
	file := fmt.Sprintf("%s_%s.csv", e.name, now.In(report.Beijing()).Format("20060102_150405"))
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, file))
	c.Status(http.StatusOK)
	// UTF-8 with a byte order mark, so that Excel keeps Chinese names intact.
	_, err = io.WriteString(c.Writer, "\uFEFF")
	out := csv.NewWriter(c.Writer)
	if err == nil {
		err = out.Write(e.header)
	}
	written := int64(0)
	var after *T
	for err == nil && written < total {
		var rows []T
		if rows, _, err = e.list(ctx, exportPage, after); err != nil || len(rows) == 0 {
			break
		}
		after = &rows[len(rows)-1]
		for _, r := range rows {
			var line []string
			if line, err = e.record(r); err == nil {
				err = out.Write(line)
			}
			if err != nil {
				break
			}
		}
		written += int64(len(rows))
	}
	if err == nil {
		out.Flush()
		err = out.Error()
	}
	switch {
	case err != nil && ctx.Err() != nil:
		loggerFrom(c).Info("export left by the client", zap.String("file", file), zap.Int64("written", written))
		panic(http.ErrAbortHandler)
	case err != nil:
		loggerFrom(c).Error("export cut short", zap.String("file", file), zap.Int64("written", written), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}
