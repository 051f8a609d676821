package sandbox

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// upload posts a multipart form (fields, then the file under fileField).
func upload(t *testing.T, s *Sim, tok, path string, fields map[string]string, fileField, name string, data []byte) env {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileField != "" {
		part, err := w.CreateFormFile(fileField, name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(data)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Access-Token", tok)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var e env
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("%s: %v: %s", path, err, rec.Body.Bytes())
	}
	return e
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bmpOf(w, h int32) []byte {
	b := make([]byte, 54)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	return b
}

type uploadedImage struct {
	ID         string `json:"id"`
	MaterialID int64  `json:"material_id"`
	Size       int64  `json:"size"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Format     string `json:"format"`
	Signature  string `json:"signature"`
	URL        string `json:"url"`
}

// TestImageUpload: an image's size and format come from its bytes, its md5
// must match the signature sent, the same bytes answer the same material,
// and the platform's format and size rules hold.
func TestImageUpload(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 3, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	send := func(data []byte, sig string) env {
		return upload(t, s, tok, "/open_api/2/file/image/ad/", map[string]string{"advertiser_id": adv, "image_signature": sig,
			"upload_type": "UPLOAD_BY_FILE", "filename": "banner.png"}, "image_file", "banner.png", data)
	}
	img := pngOf(t, 640, 360)
	e := send(img, md5hex(img))
	mustCode(t, e, 0)
	got := decodeData[uploadedImage](t, e)
	if got.Width != 640 || got.Height != 360 || got.Format != "png" || got.Signature != md5hex(img) || got.Size != int64(len(img)) || got.MaterialID == 0 || got.ID == "" {
		t.Errorf("uploaded: %+v", got)
	}
	again := decodeData[uploadedImage](t, send(img, md5hex(img)))
	if again != got {
		t.Errorf("the same bytes again: %+v, first %+v", again, got)
	}
	bmp := bmpOf(100, -80)
	if b := decodeData[uploadedImage](t, send(bmp, md5hex(bmp))); b.Format != "bmp" || b.Width != 100 || b.Height != 80 {
		t.Errorf("bmp: %+v", b)
	}
	big := append(pngOf(t, 10, 10), make([]byte, MaxImageBytes)...)
	for name, e := range map[string]env{
		"wrong signature": send(img, md5hex([]byte("other"))),
		"no signature":    send(img, ""),
		"not an image":    send([]byte("plain text"), md5hex([]byte("plain text"))),
		"too large":       send(big, md5hex(big)),
		"no file": upload(t, s, tok, "/open_api/2/file/image/ad/", map[string]string{"advertiser_id": adv, "image_signature": md5hex(img)},
			"", "", nil),
		"JSON body": api(t, s, "POST", "/open_api/2/file/image/ad/", nil, map[string]any{"advertiser_id": adv}, tok),
	} {
		if e.Code != CodeParam {
			t.Errorf("%s: code %d (%s), want 40001", name, e.Code, e.Message)
		}
	}

	e = api(t, s, "GET", "/open_api/2/file/image/get/", q("advertiser_id", adv, "filtering", map[string]any{"image_ids": []string{got.ID}}), nil, tok)
	list := okList[struct {
		uploadedImage
		CreateTime string `json:"create_time"`
		Filename   string `json:"filename"`
	}](t, e)
	if len(list) != 1 || list[0].uploadedImage != got || list[0].Filename != "banner.png" || list[0].CreateTime != "2025-06-18 14:30:00" {
		t.Errorf("image/get: %+v", list)
	}
	e = api(t, s, "GET", "/open_api/2/file/image/get/", q("advertiser_id", adv, "filtering", map[string]any{"width": 640, "height": 360, "ratio": []float64{1.78}}), nil, tok)
	mustCode(t, e, 0)
	if l := decodeData[struct{ List []uploadedImage }](t, e).List; len(l) != 1 || l[0].ID != got.ID {
		t.Errorf("by size and ratio: %+v", l)
	}
	e = api(t, s, "GET", "/open_api/2/file/image/get/", q("advertiser_id", adv, "filtering", map[string]any{"image_ids": []string{got.ID}, "material_ids": []int64{got.MaterialID}}), nil, tok)
	mustCode(t, e, CodeParam)
}

// TestVideoUpload: the container is recognised from the bytes; the video
// lists first in video/get and can be used in a new promotion.
func TestVideoUpload(t *testing.T) {
	s, tok, id := openSandbox(t, Options{Seed: 3, Advertisers: 2})
	adv := strconv.FormatInt(id, 10)
	send := func(data []byte) env {
		return upload(t, s, tok, "/open_api/2/file/video/ad/", map[string]string{"advertiser_id": adv, "video_signature": md5hex(data)},
			"video_file", "clip.mp4", data)
	}
	type uploaded struct {
		VideoID    string  `json:"video_id"`
		MaterialID int64   `json:"material_id"`
		Width      int     `json:"width"`
		Height     int     `json:"height"`
		Duration   float64 `json:"duration"`
		Signature  string  `json:"video_signature"`
	}
	mp4 := append([]byte{0, 0, 0, 24}, []byte("ftypisom\x00\x00\x02\x00isomiso2 some frames")...)
	e := send(mp4)
	mustCode(t, e, 0)
	v := decodeData[uploaded](t, e)
	if v.VideoID == "" || v.Signature != md5hex(mp4) || v.Width == 0 || v.Duration < 5 {
		t.Errorf("uploaded: %+v", v)
	}
	for name, data := range map[string][]byte{
		"3gp":  append([]byte{0, 0, 0, 20}, []byte("ftyp3gp4 frames")...),
		"avi":  []byte("RIFF\x10\x00\x00\x00AVI LIST frames"),
		"mpeg": {0, 0, 1, 0xBA, 1, 2, 3, 4},
	} {
		mustCode(t, send(data), 0)
		_ = name
	}
	if e := send([]byte("not a video")); e.Code != CodeParam {
		t.Errorf("not a video: code %d", e.Code)
	}
	e = api(t, s, "GET", "/open_api/2/file/video/get/", q("advertiser_id", adv, "filtering", map[string]any{"signatures": []string{md5hex(mp4)}}), nil, tok)
	l := okList[struct {
		ID        string `json:"id"`
		Format    string `json:"format"`
		PosterURL string `json:"poster_url"`
	}](t, e)
	if len(l) != 1 || l[0].ID != v.VideoID || l[0].Format != "mp4" || l[0].PosterURL == "" {
		t.Errorf("video/get: %+v", l)
	}
	var proj Entity
	for _, p := range s.World().Projects(id) {
		if p.Status != "PROJECT_STATUS_DELETE" {
			proj = p
			break
		}
	}
	mode := "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL"
	if v.Width > v.Height {
		mode = "CREATIVE_IMAGE_MODE_VIDEO"
	}
	e = api(t, s, "POST", "/open_api/v3.0/promotion/create/", nil, map[string]any{"advertiser_id": id, "project_id": proj.ID, "name": "上传素材广告",
		"budget": 500, "cpa_bid": 30, "promotion_materials": map[string]any{
			"video_material_list": []map[string]any{{"image_mode": mode, "video_id": v.VideoID}},
			"title_material_list": []map[string]any{{"title": "新素材"}}}}, tok)
	mustCode(t, e, 0)
}

// TestQuotaClasses: tools and upload endpoints are capped below the
// standard rate (3 and 5 per second); standard endpoints take the
// configured rate.
func TestQuotaClasses(t *testing.T) {
	s, tok, _ := openSandbox(t, Options{Seed: 3, Advertisers: 2, QPS: 1000})
	classes := map[QuotaClass]int{}
	for _, e := range s.EndpointTable() {
		classes[e.Quota]++
		if e.Quota == QuotaStandard {
			continue
		}
		limited := 0
		for i := 0; i < 10; i++ {
			var got env
			if e.Multipart {
				got = upload(t, s, tok, "/open_api/"+e.Key+"/", map[string]string{"advertiser_id": "1"}, "", "", nil)
			} else {
				got = api(t, s, e.Method, "/open_api/"+e.Key+"/", nil, nil, tok)
			}
			if got.Code == CodeTooFrequent {
				limited++
			}
		}
		capQPS := map[QuotaClass]int{QuotaTools: ToolsQPS, QuotaUpload: UploadQPS}[e.Quota]
		if limited < 10-capQPS-1 || limited > 10-capQPS {
			t.Errorf("%s (%s): %d of 10 rapid requests limited, want about %d", e.Key, e.Quota, limited, 10-capQPS)
		}
	}
	if classes[QuotaTools] == 0 || classes[QuotaUpload] == 0 {
		t.Errorf("quota classes in use: %v", classes)
	}
	limited := 0
	for i := 0; i < 10; i++ {
		if api(t, s, "GET", "/open_api/2/user/info/", nil, nil, tok).Code == CodeTooFrequent {
			limited++
		}
	}
	if limited != 0 {
		t.Errorf("standard endpoint: %d of 10 limited at 1000 QPS", limited)
	}
}
