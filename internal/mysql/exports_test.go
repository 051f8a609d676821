package mysql_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/oceanops/adplatform/internal/apperr"
	"github.com/oceanops/adplatform/internal/auth"
	"github.com/oceanops/adplatform/internal/mysql"
	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

func TestExportFileChunksRoundTrip(t *testing.T) {
	db := mysqltest.New(t)
	ctx := context.Background()
	alice := rqUser(t, db, "alice", auth.RoleOperator)
	bob := rqUser(t, db, "bob", auth.RoleOperator)
	id, err := db.CreateBackgroundJob(ctx, mysql.NewBackgroundJob{Kind: "export", CreatedBy: alice.UserID, Params: map[string]string{"format": "csv"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	write := func(data []byte) *mysql.ExportFileWriter {
		t.Helper()
		if err := db.BeginExportFile(ctx, mysql.NewExportFile{JobID: id, Format: "csv", FileName: "r.csv", ContentType: "text/csv", At: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		w := db.NewExportFileWriter(ctx, id)
		// Odd-sized writes straddle chunk boundaries.
		for off := 0; off < len(data); off += 100_003 {
			if _, err := w.Write(data[off:min(off+100_003, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteExportFile(ctx, id, w, 42, at); err != nil {
			t.Fatal(err)
		}
		return w
	}
	// A first, shorter attempt, then the retry: the retry's file replaces it whole.
	write(bytes.Repeat([]byte("x"), 3*mysql.ExportChunkSize))
	data := make([]byte, 2*mysql.ExportChunkSize+12345)
	_, _ = rand.Read(data)
	w := write(data)
	if w.Chunks() != 3 || w.Size() != int64(len(data)) {
		t.Fatalf("chunks %d size %d", w.Chunks(), w.Size())
	}
	j, f, err := db.ExportJob(ctx, alice, id)
	if err != nil || f == nil || j.ID != id {
		t.Fatalf("export job: %v %+v", err, f)
	}
	sum := sha256.Sum256(data)
	if f.Status != mysql.ExportComplete || f.ChunkCount != 3 || f.SizeBytes != int64(len(data)) || f.RowCount != 42 || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("file = %+v", f)
	}
	var out bytes.Buffer
	if err := db.WriteExportFile(ctx, *f, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Errorf("read back %d bytes, differing from the %d written", out.Len(), len(data))
	}
	if _, _, err := db.ExportJob(ctx, bob, id); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("bob sees alice's export: %v", err)
	}
	if _, f, err := db.ExportJob(ctx, auth.SystemScope(), id); err != nil || f == nil {
		t.Errorf("admin: %v", err)
	}

	// Not yet expired: kept. Expired: header and chunks deleted, job kept.
	if n, err := db.DeleteExpiredExports(ctx, at.Add(30*time.Minute), 10); err != nil || n != 0 {
		t.Errorf("early cleanup deleted %d (%v)", n, err)
	}
	if n, err := db.DeleteExpiredExports(ctx, at.Add(2*time.Hour), 10); err != nil || n != 1 {
		t.Errorf("cleanup deleted %d (%v), want 1", n, err)
	}
	chunks := mysqltest.Value[int](t, db, `SELECT COUNT(*) FROM report_export_chunks`)
	if _, f, err := db.ExportJob(ctx, alice, id); err != nil || f != nil || chunks != 0 {
		t.Errorf("after cleanup: file %+v, %d chunks, %v", f, chunks, err)
	}
	if err := db.WriteExportFile(ctx, mysql.ExportFile{JobID: id, ChunkCount: 1}, &out); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("reading a deleted file: %v", err)
	}
}
