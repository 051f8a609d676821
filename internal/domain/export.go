package domain

import (
	"time"
)

// ExportListItem is one export job of a list, with its file header (nil
// while the worker has not begun it, after a failure, or once the cleanup
// deleted the expired file).
type ExportListItem struct {
	Job  BackgroundJob
	File *ExportFile
}

// ExportFile is the header of a stored export file (report_exports).
type ExportFile struct {
	JobID       int64
	Status      string
	Format      string
	FileName    string
	ContentType string
	SizeBytes   int64
	ChunkCount  int
	RowCount    int64
	SHA256      string
	CreatedAt   time.Time
	CompletedAt *time.Time
	ExpiresAt   time.Time
}

// NewExportFile describes a file about to be written.
type NewExportFile struct {
	JobID       int64
	Format      string
	FileName    string
	ContentType string
	At          time.Time
	ExpiresAt   time.Time
}

// Export file statuses.
const (
	ExportWriting  = "writing"
	ExportComplete = "complete"
)
