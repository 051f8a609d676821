package sandbox

import (
	"errors"
	"io"
	"mime"
	"net/http"
)

// MaxUploadBytes bounds a multipart request (the platform takes videos up to
// 1000 MB; the sandbox holds uploads in memory, so it stops at 64 MB).
const MaxUploadBytes = 64 << 20

// formFile is an uploaded file: a multipart part with a file name. Request
// structs declare it like any other parameter (`oe:"image_file"`).
type formFile struct {
	name string
	data []byte
}

// parseMultipart reads a multipart/form-data request: form values become
// parameters by the query rule (scalars as text, arrays and objects as
// JSON), files are kept by part name.
func parseMultipart(r *http.Request) (*params, *apiError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, errParam("request body must be multipart/form-data")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, MaxUploadBytes)
	if err := r.ParseMultipartForm(MaxUploadBytes); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errParam("request body is larger than %d MB", MaxUploadBytes>>20)
		}
		return nil, errParam("multipart body: %v", err)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	p := &params{q: r.MultipartForm.Value, files: map[string]formFile{}}
	for name, fhs := range r.MultipartForm.File {
		f, err := fhs[0].Open()
		if err != nil {
			return nil, errParam("%s: %v", name, err)
		}
		data, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, errParam("%s: %v", name, err)
		}
		p.files[name] = formFile{name: fhs[0].Filename, data: data}
	}
	return p, nil
}
