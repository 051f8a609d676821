package adops

import (
	"strconv"
	"time"

	"github.com/oceanops/adplatform/internal/domain"
	"github.com/oceanops/adplatform/internal/oceanengine"
)

// The change log as CSV (GET /api/v1/changes/export): one line a change,
// for the people who tell clients what was changed on their accounts.

// ChangeCSVHeader names the columns of ChangeRecord (times in Beijing,
// amounts in yuan).
var ChangeCSVHeader = []string{"id", "created_at_beijing", "actor_type", "actor", "advertiser_id", "advertiser", "kind", "entity_id",
	"entity", "field", "before", "requested", "after", "result", "verified", "error_code", "error", "request_id", "rollback_of",
	"rolled_back_by"}

// ChangeRecord is the CSV line of a change.
func ChangeRecord(c domain.AdChange) ([]string, error) {
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
	return []string{id(c.ID), c.CreatedAt.In(oceanengine.Beijing).Format(time.DateTime), c.ActorType, c.ActorName, id(c.AdvertiserID),
		c.AdvertiserName, c.EntityKind, id(c.EntityID), c.EntityName, c.Field, value(c.Before), value(c.Requested), value(c.After),
		c.Result, strconv.FormatBool(c.Verified), id(int64(c.ErrorCode)), c.ErrorMessage, c.RequestID, id(c.RollbackOf),
		id(c.RolledBackBy)}, nil
}
