package adops

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// The change log as CSV (GET /api/v1/changes/export): one line a change,
// for the people who tell clients what was changed on their accounts.

// changeCSVHeader names the columns (times in Beijing, amounts in yuan).
var changeCSVHeader = []string{"id", "created_at_beijing", "actor_type", "actor", "advertiser_id", "advertiser", "kind", "entity_id",
	"entity", "field", "before", "requested", "after", "result", "verified", "error_code", "error", "request_id", "rollback_of",
	"rolled_back_by"}

// ChangeCSV writes change log entries as CSV: UTF-8 with a byte order mark
// (Excel opens it so, Chinese names intact), the header first.
type ChangeCSV struct{ w *csv.Writer }

// NewChangeCSV writes the mark and the header to w.
func NewChangeCSV(w io.Writer) (*ChangeCSV, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("adops: change csv: %w", err)
	}
	x := &ChangeCSV{w: csv.NewWriter(w)}
	return x, x.w.Write(changeCSVHeader)
}

// Write writes one change.
func (x *ChangeCSV) Write(c domain.AdChange) error {
	value := func(v domain.ChangeValue) string {
		if v.IsZero() {
			return ""
		}
		return ValueOf(v).String()
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return x.w.Write([]string{id(c.ID), c.CreatedAt.In(oceanengine.Beijing).Format(time.DateTime), c.ActorType, c.ActorName, id(c.AdvertiserID),
		c.AdvertiserName, c.EntityKind, id(c.EntityID), c.EntityName, c.Field, value(c.Before), value(c.Requested), value(c.After),
		c.Result, strconv.FormatBool(c.Verified), id(int64(c.ErrorCode)), c.ErrorMessage, c.RequestID, id(c.RollbackOf), id(c.RolledBackBy)})
}

// Flush writes what is buffered and reports the first error of any write.
func (x *ChangeCSV) Flush() error {
	x.w.Flush()
	return x.w.Error()
}
