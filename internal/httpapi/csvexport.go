package httpapi

import (
	"context"
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

// rowWriter writes the rows of a CSV export (adops.ChangeCSV, auth.AuditCSV).
type rowWriter[T any] interface {
	Write(row T) error
	Flush() error
}

// csvExport is the CSV export of a list: name names the file
// (<name>_<Beijing time>.csv), noun and rule the refusal of a selection of
// more than exportMaxRows; count counts the rows selected, open starts the
// file on the response, next reads the next page (none left: empty).
type csvExport[T any] struct {
	name, noun, rule string
	count            func(context.Context) (int64, error)
	open             func(io.Writer) (rowWriter[T], error)
	next             func(context.Context) ([]T, error)
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
	total, err := e.count(ctx)
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
	out, err := e.open(c.Writer)
	written := int64(0)
	for err == nil && written < total {
		var rows []T
		if rows, err = e.next(ctx); err != nil || len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if err = out.Write(r); err != nil {
				break
			}
		}
		written += int64(len(rows))
	}
	if err == nil {
		err = out.Flush()
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
