package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
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

// serveCSV answers a CSV file named name with the rows next reads, a page
// at a time (none left: an empty page), until total are written; open
// starts the file (its header) on the response. A failure once the file
// has begun cuts the connection, so that a client never takes a file cut
// short for a whole one; a client that leaves is logged as such.
func serveCSV[T any](c *gin.Context, name string, total int64, open func(io.Writer) (rowWriter[T], error), next func(context.Context) ([]T, error)) {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Status(http.StatusOK)
	ctx := c.Request.Context()
	out, err := open(c.Writer)
	written := int64(0)
	for err == nil && written < total {
		var rows []T
		if rows, err = next(ctx); err != nil || len(rows) == 0 {
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
		loggerFrom(c).Info("export left by the client", zap.String("file", name), zap.Int64("written", written))
		panic(http.ErrAbortHandler)
	case err != nil:
		loggerFrom(c).Error("export cut short", zap.String("file", name), zap.Int64("written", written), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
}
