package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
)

// ExportChunkSize is the size of the stored pieces of an export file: small
// enough for any max_allowed_packet (MariaDB's default is 16 MiB) and for a
// download to hold one in memory at a time.
const ExportChunkSize = 512 << 10

// BeginExportFile (re)starts the file of an export job: chunks of an earlier,
// interrupted attempt are deleted and the header is reset to "writing".
func (db *DB) BeginExportFile(ctx context.Context, f NewExportFile) error {
	if err := db.DeleteExportChunks(ctx, f.JobID); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `
		INSERT INTO report_exports (job_id, status, format, file_name, content_type, created_at, expires_at)
		VALUES (?, 'writing', ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE status = 'writing', format = VALUES(format), file_name = VALUES(file_name),
			content_type = VALUES(content_type), size_bytes = 0, chunk_count = 0, row_count = 0, sha256 = '',
			completed_at = NULL, expires_at = VALUES(expires_at)`,
		f.JobID, f.Format, f.FileName, f.ContentType, f.At.UTC(), f.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("mysql: begin export %d: %w", f.JobID, err)
	}
	return nil
}

// DeleteExportChunks deletes the stored bytes of an export in small batches
// (each DELETE holds its locks only briefly).
func (db *DB) DeleteExportChunks(ctx context.Context, jobID int64) error {
	_, err := deleteInBatches(ctx, db, fmt.Sprintf("delete export %d chunks", jobID), 16,
		`DELETE FROM report_export_chunks WHERE job_id = ? ORDER BY seq LIMIT 16`, jobID)
	return err
}

// ExportFileWriter is an io.Writer that stores what is written as chunks of
// ExportChunkSize bytes of one export file, so the file is never held whole
// in memory. Close stores the last partial chunk.
type ExportFileWriter struct {
	ctx   context.Context
	db    *DB
	jobID int64
	buf   []byte
	seq   int
	size  int64
	sum   hash.Hash
	err   error
}

// NewExportFileWriter writes the chunks of jobID's file (after BeginExportFile).
func (db *DB) NewExportFileWriter(ctx context.Context, jobID int64) *ExportFileWriter {
	return &ExportFileWriter{ctx: ctx, db: db, jobID: jobID, buf: make([]byte, 0, ExportChunkSize), sum: sha256.New()}
}

func (w *ExportFileWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n := len(p)
	for len(p) > 0 {
		take := min(ExportChunkSize-len(w.buf), len(p))
		w.buf = append(w.buf, p[:take]...)
		p = p[take:]
		if len(w.buf) == ExportChunkSize {
			if err := w.flush(); err != nil {
				return n - len(p), err
			}
		}
	}
	return n, nil
}

func (w *ExportFileWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.db.ExecContext(w.ctx, `INSERT INTO report_export_chunks (job_id, seq, data) VALUES (?, ?, ?)`, w.jobID, w.seq, w.buf)
	if err != nil {
		w.err = fmt.Errorf("mysql: export %d chunk %d: %w", w.jobID, w.seq, err)
		return w.err
	}
	w.sum.Write(w.buf)
	w.size += int64(len(w.buf))
	w.seq++
	w.buf = w.buf[:0]
	return nil
}

// Close stores the last chunk.
func (w *ExportFileWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

// Size is the number of bytes stored so far.
func (w *ExportFileWriter) Size() int64 { return w.size }

// Chunks is the number of chunks stored so far.
func (w *ExportFileWriter) Chunks() int { return w.seq }

// SHA256 is the hex digest of the bytes stored so far.
func (w *ExportFileWriter) SHA256() string { return hex.EncodeToString(w.sum.Sum(nil)) }

// CompleteExportFile marks a fully written file downloadable.
func (db *DB) CompleteExportFile(ctx context.Context, jobID int64, w *ExportFileWriter, rows int64, at time.Time) error {
	_, err := db.ExecContext(ctx, `
		UPDATE report_exports SET status = 'complete', size_bytes = ?, chunk_count = ?, row_count = ?, sha256 = ?, completed_at = ?
		WHERE job_id = ?`, w.Size(), w.Chunks(), rows, w.SHA256(), at.UTC(), jobID)
	if err != nil {
		return fmt.Errorf("mysql: complete export %d: %w", jobID, err)
	}
	return nil
}

// exportVisible: an export is its creator's (it holds what the creator's
// scope showed when it ran); admins see every export.
func exportVisible(scope auth.Scope) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	return "j.created_by = ?", []any{scope.UserID}
}

const exportFileColumns = `f.job_id, f.status, f.format, f.file_name, f.content_type, f.size_bytes, f.chunk_count,
	f.row_count, f.sha256, f.created_at, f.completed_at, f.expires_at`

// ExportJob loads an export job and its file header (nil while none exists
// or after the cleanup deleted it) as the scope may see it: the creator and
// admins. Others get KindNotFound.
func (db *DB) ExportJob(ctx context.Context, scope auth.Scope, jobID int64) (BackgroundJob, *ExportFile, error) {
	vis, args := exportVisible(scope)
	j, err := scanBackgroundJob(db.QueryRowContext(ctx, `SELECT `+backgroundJobColumns+` FROM background_jobs j
		WHERE j.id = ? AND j.kind = 'export' AND `+vis, append([]any{jobID}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return j, nil, apperr.NotFound("export")
	}
	if err != nil {
		return j, nil, fmt.Errorf("mysql: export %d: %w", jobID, err)
	}
	var (
		f         ExportFile
		completed sql.NullTime
	)
	err = db.QueryRowContext(ctx, `SELECT `+exportFileColumns+` FROM report_exports f WHERE f.job_id = ?`, jobID).Scan(
		&f.JobID, &f.Status, &f.Format, &f.FileName, &f.ContentType, &f.SizeBytes, &f.ChunkCount,
		&f.RowCount, &f.SHA256, &f.CreatedAt, &completed, &f.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return j, nil, nil
	}
	if err != nil {
		return j, nil, fmt.Errorf("mysql: export %d file: %w", jobID, err)
	}
	f.CompletedAt = optTime(completed)
	return j, &f, nil
}

// WriteExportFile copies a complete file's chunks to w in order, one chunk
// in memory at a time. A chunk missing (the cleanup running meanwhile) is
// KindNotFound.
func (db *DB) WriteExportFile(ctx context.Context, f ExportFile, w io.Writer) error {
	var data []byte
	for seq := 0; seq < f.ChunkCount; seq++ {
		err := db.QueryRowContext(ctx, `SELECT data FROM report_export_chunks WHERE job_id = ? AND seq = ?`, f.JobID, seq).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.KindNotFound, "export file is no longer available").WithReason("export_file_gone", "id", f.JobID)
		}
		if err != nil {
			return fmt.Errorf("mysql: export %d chunk %d: %w", f.JobID, seq, err)
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("mysql: export %d: write: %w", f.JobID, err)
		}
	}
	return nil
}

// DeleteExpiredExports deletes export files whose expires_at is before now,
// at most limit files per call, chunk batch by chunk batch, and returns how
// many files it deleted. The job rows (background_jobs) stay as history
// until the housekeeping job prunes them (worker.job_retention_days).
func (db *DB) DeleteExpiredExports(ctx context.Context, now time.Time, limit int) (int, error) {
	ids, err := queryAll(ctx, db, nil, "expired exports", scanOne[int64],
		`SELECT job_id FROM report_exports WHERE expires_at < ? ORDER BY expires_at LIMIT ?`, now.UTC(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		// Header first, so no download starts on a file being deleted.
		if _, err := db.ExecContext(ctx, `DELETE FROM report_exports WHERE job_id = ?`, id); err != nil {
			return n, fmt.Errorf("mysql: delete export %d: %w", id, err)
		}
		if err := db.DeleteExportChunks(ctx, id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// DeleteExportFile removes a file (header and chunks), e.g. after a failed attempt.
func (db *DB) DeleteExportFile(ctx context.Context, jobID int64) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM report_exports WHERE job_id = ?`, jobID); err != nil {
		return fmt.Errorf("mysql: delete export %d: %w", jobID, err)
	}
	return db.DeleteExportChunks(ctx, jobID)
}
