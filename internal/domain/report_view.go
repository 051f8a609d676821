package domain

import "time"

// ReportView is a report explorer view a user keeps by name — level, range,
// grouping, metrics, filters — as the console's URL query holds it, for
// themselves or shared with everyone who reads reports.
type ReportView struct {
	ID     int64
	UserID int64
	// OwnerName is read, never written: the owner's display name (their
	// username when they have none).
	OwnerName string
	Name      string
	// Query is the report explorer's URL query, without "?".
	Query     string
	Shared    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReportViewInput is what a user sets on a view.
type ReportViewInput struct {
	Name   string
	Query  string
	Shared bool
}

// MaxReportViews is how many views a user may keep.
const MaxReportViews = 50
