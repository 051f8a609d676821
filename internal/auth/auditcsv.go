package auth

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// The audit log as CSV (GET /api/v1/audit/export): one line an entry, for
// the auditors who keep it elsewhere.

// auditCSVHeader names the columns (times in Beijing; detail as JSON).
var auditCSVHeader = []string{"id", "occurred_at_beijing", "actor_type", "actor_id", "actor", "ip", "user_agent", "action",
	"target_type", "target_id", "result", "status", "request_id", "detail"}

// AuditCSV writes audit entries as CSV: UTF-8 with a byte order mark
// (Excel), the header first.
type AuditCSV struct {
	w       *csv.Writer
	beijing *time.Location
}

// NewAuditCSV writes the mark and the header to w.
func NewAuditCSV(w io.Writer) (*AuditCSV, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("auth: audit csv: %w", err)
	}
	x := &AuditCSV{w: csv.NewWriter(w), beijing: time.FixedZone("Asia/Shanghai", 8*60*60)}
	return x, x.w.Write(auditCSVHeader)
}

// Write writes one entry.
func (x *AuditCSV) Write(e AuditEntry) error {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("auth: audit csv: detail of %d: %w", e.ID, err)
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
	return x.w.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(x.beijing).Format(time.DateTime), e.ActorType, actorID, e.ActorName,
		e.IP, e.UserAgent, e.Action, e.TargetType, e.TargetID, e.Result, status, e.RequestID, detail})
}

// Flush writes what is buffered and reports the first error of any write.
func (x *AuditCSV) Flush() error {
	x.w.Flush()
	return x.w.Error()
}
