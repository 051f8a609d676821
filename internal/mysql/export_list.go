package mysql

import (
	"context"
	"database/sql"
)

// ListExports lists the exports userID created, newest first, and how many
// there are. Exports are their creator's (ExportJob), so this is "my
// exports" for admins too.
func (db *DB) ListExports(ctx context.Context, userID int64, limit, offset int) ([]ExportListItem, int64, error) {
	scan := func(r scanner) (ExportListItem, error) {
		j, err := scanBackgroundJob(r)
		return ExportListItem{Job: j}, err
	}
	items, total, err := queryPage(ctx, db, nil, listPage{noun: "exports", cols: backgroundJobColumns, from: "background_jobs j",
		w: whereOf("j.kind = 'export' AND j.created_by = ?", []any{userID}), order: "j.id DESC", limit: limit, offset: offset}, scan)
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
	out := make(map[int64]*ExportFile, len(items))
	err := eachRow(ctx, db, "export files", `SELECT `+exportFileColumns+` FROM report_exports f WHERE f.job_id IN (`+placeholders(len(args))+`)`, args,
		func(rows *sql.Rows) error {
			var (
				f         ExportFile
				completed sql.NullTime
			)
			if err := rows.Scan(&f.JobID, &f.Status, &f.Format, &f.FileName, &f.ContentType, &f.SizeBytes, &f.ChunkCount,
				&f.RowCount, &f.SHA256, &f.CreatedAt, &completed, &f.ExpiresAt); err != nil {
				return err
			}
			f.CompletedAt = optTime(completed)
			out[f.JobID] = &f
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}
