package httpapi

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/oceanops/adplatform/internal/auth"
)

// multipartFile is a multipart/form-data body with one file field.
func multipartFile(t *testing.T, field, name string, content []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}

// TestReadSheetOverHTTP: an uploaded workbook's first sheet comes back as
// rows of text (an empty row as []); what is not a workbook, or no file,
// is a 400 with its reason; a viewer may not.
func TestReadSheetOverHTTP(t *testing.T) {
	b := setupAuth(t)
	admin := b.login(t, "root", adminPassword).AccessToken
	b.createUser(t, admin, "vera", "Violet-Compass-905", []string{auth.RoleViewer})
	viewer := b.login(t, "vera", "Violet-Compass-905").AccessToken

	f := excelize.NewFile()
	for ref, v := range map[string]any{"A1": "id", "B1": "budget", "A2": "1708359612473935", "B2": 300, "A4": "1708359612473936", "B4": "450.5"} {
		if err := f.SetCellValue("Sheet1", ref, v); err != nil {
			t.Fatal(err)
		}
	}
	var xlsx bytes.Buffer
	if err := f.Write(&xlsx); err != nil {
		t.Fatal(err)
	}
	send := func(token, field, name string, content []byte) resp {
		body, ct := multipartFile(t, field, name, content)
		return b.do(t, req{method: "POST", path: "/api/v1/imports/sheet", body: body, token: token, header: map[string]string{"Content-Type": ct}})
	}
	r := send(admin, "file", "budgets.xlsx", xlsx.Bytes())
	var got sheetResponse
	r.data(t, &got)
	want := `{"sheet":"Sheet1","rows":[["id","budget"],["1708359612473935","300"],[],["1708359612473936","450.5"]],"total_rows":4,"value_rows":3}`
	if r.status != http.StatusOK || !bytes.Contains([]byte(r.raw), []byte(`"data":`+want)) {
		t.Fatalf("workbook: %d %s\nwant data %s", r.status, r.raw, want)
	}

	for _, tc := range []struct {
		what, token, field, reason string
		content                    []byte
		status                     int
	}{
		{"a CSV file", admin, "file", "sheet_unreadable", []byte("id,budget\n1,300\n"), http.StatusBadRequest},
		{"no file field", admin, "upload", "sheet_file_missing", xlsx.Bytes(), http.StatusBadRequest},
		{"a viewer", viewer, "file", "forbidden_permission", xlsx.Bytes(), http.StatusForbidden},
	} {
		r := send(tc.token, tc.field, "x.xlsx", tc.content)
		if r.status != tc.status || r.env.Reason != tc.reason {
			t.Errorf("%s: %d %s, want %d %s", tc.what, r.status, r.raw, tc.status, tc.reason)
		}
	}
	r = b.do(t, req{method: "POST", path: "/api/v1/imports/sheet", body: `{"file":"x"}`, token: admin})
	if r.status != http.StatusBadRequest || r.env.Reason != "sheet_file_missing" {
		t.Errorf("a JSON body: %d %s", r.status, r.raw)
	}
	entries, _, err := b.db.ListAudit(context.Background(), auth.AuditFilter{Action: "import.read_sheet", Result: auth.ResultSuccess})
	if err != nil || len(entries) != 1 || entries[0].Detail["file"] != "budgets.xlsx" || entries[0].Detail["rows"] != float64(4) {
		t.Fatalf("audit of the read: %+v, %v", entries, err)
	}
}
