package mysql

import (
	"context"
	"database/sql"
	"fmt"
)

// ListExports lists the exports userID created, newest first, and how many
// there are. Exports are their creator's (ExportJob), so this is "my
// exports" for admins too.
func (db *DB) ListExports(ctx context.Context, userID int64, limit, offset int) ([]ExportListItem, int64, error) {
	var total int64
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM background_jobs j WHERE j.kind = 'export' AND j.created_by = ?`,
		userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("mysql: count exports: %w", err)
	}
	if limit <= 0 {
		limit = 20
	}
	scan := func(r scanner) (ExportListItem, error) {
		j, err := scanBackgroundJob(r)
		return ExportListItem{Job: j}, err
	}
	items, err := queryAll(ctx, db, nil, "list exports", scan, `SELECT `+backgroundJobColumns+` FROM background_jobs j
		WHERE j.kind = 'export' AND j.created_by = ? ORDER BY j.id DESC LIMIT ? OFFSET ?`, userID, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if len(items) == 0 {
		return items, total, nil
	}
	files, err := db.exportFiles(ctx, items)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i].File = files[items[i].Job.ID]
	}
	return items, total, nil
}

// exportFiles reads the file headers of a page of export jobs in one query.
func (db *DB) exportFiles(ctx context.Context, items []ExportListItem) (map[int64]*ExportFile, error) {
	args := make([]any, 0, len(items))
	for _, it := range items {
		args = append(args, it.Job.ID)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+exportFileColumns+` FROM report_exports f WHERE f.job_id IN (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("mysql: export files: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]*ExportFile, len(items))
	for rows.Next() {
		var (
			f         ExportFile
			completed sql.NullTime
		)
		if err := rows.Scan(&f.JobID, &f.Status, &f.Format, &f.FileName, &f.ContentType, &f.SizeBytes, &f.ChunkCount,
			&f.RowCount, &f.SHA256, &f.CreatedAt, &completed, &f.ExpiresAt); err != nil {
			return nil, fmt.Errorf("mysql: export files: %w", err)
		}
		f.CompletedAt = reportOptTime(completed)
		out[f.JobID] = &f
	}
	return out, rows.Err()
}
