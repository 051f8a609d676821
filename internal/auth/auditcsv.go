package auth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The audit log as CSV (GET /api/v1/audit/export): one line an entry, for
// the auditors who keep it elsewhere.

// AuditCSVHeader names the columns of AuditRecord (times in Beijing;
// detail as JSON).
var AuditCSVHeader = []string{"id", "occurred_at_beijing", "actor_type", "actor_id", "actor", "ip", "user_agent", "action",
	"target_type", "target_id", "result", "status", "request_id", "detail"}

// AuditRecord is the CSV line of an entry.
func AuditRecord(e AuditEntry) ([]string, error) {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return nil, fmt.Errorf("auth: audit csv: detail of %d: %w", e.ID, err)
		}
		detail = string(b)
	}
	actorID, status := "", ""
	if e.ActorID != 0 {
		actorID = strconv.FormatInt(e.ActorID, 10)
	}
	if e.Status != 0 {
		status = strconv.Itoa(e.Status)
	}
	beijing := time.FixedZone("Asia/Shanghai", 8*60*60)
	return []string{strconv.FormatInt(e.ID, 10), e.At.In(beijing).Format(time.DateTime), e.ActorType, actorID, e.ActorName,
		e.IP, e.UserAgent, e.Action, e.TargetType, e.TargetID, e.Result, status, e.RequestID, detail}, nil
}
