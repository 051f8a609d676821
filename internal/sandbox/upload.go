package sandbox

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"image"
	_ "image/gif" // image formats the platform takes
	_ "image/jpeg"
	_ "image/png"
	"path"
	"strings"
)

// Material uploads (2/file/image/ad, 2/file/video/ad). A file upload must
// carry the md5 of its bytes (image_signature, video_signature); the bytes
// must be an image (jpg, png, gif, bmp; at most 1.5 MB) or a video (mp4,
// mpeg, 3gp, avi). An image's size is read from its header; a video's
// dimensions and duration are derived from its md5 (the sandbox does not
// decode video). An upload whose md5 the library already holds answers the
// existing material, as the platform dedupes. Uploads by URL are not fetched:
// the URL stands for the file's content.

// MaxImageBytes is the largest image the platform takes.
const MaxImageBytes = 1536 << 10

type uploadReq struct {
	UploadType string `oe:"upload_type,enum=UPLOAD_BY_FILE|UPLOAD_BY_URL"`
	Filename   string `oe:"filename"`
	IsAigc     bool   `oe:"is_aigc"`
}

type imageUploadReq struct {
	uploadReq
	ImageFile      formFile `oe:"image_file"`
	ImageSignature string   `oe:"image_signature"`
	ImageURL       string   `oe:"image_url"`
}

type videoUploadReq struct {
	uploadReq
	VideoFile      formFile `oe:"video_file"`
	VideoSignature string   `oe:"video_signature"`
	VideoURL       string   `oe:"video_url"`
}

// content returns the uploaded bytes (or the URL standing for them), the
// file name and the md5, checking the signature of a file upload.
func (u *uploadReq) content(prefix string, file formFile, signature, url string) ([]byte, string, string, *apiError) {
	var data []byte
	name := u.Filename
	if u.UploadType == "UPLOAD_BY_URL" {
		if url == "" {
			return nil, "", "", errParam("%s_url: required with UPLOAD_BY_URL", prefix)
		}
		data = []byte(url)
		if name == "" {
			name = path.Base(url)
		}
	} else {
		if file.data == nil {
			return nil, "", "", errParam("%s_file: required with UPLOAD_BY_FILE", prefix)
		}
		if signature == "" {
			return nil, "", "", errParam("%s_signature: required with UPLOAD_BY_FILE (the md5 of the file)", prefix)
		}
		data = file.data
		if name == "" {
			name = file.name
		}
	}
	sum := md5.Sum(data)
	sig := hex.EncodeToString(sum[:])
	if u.UploadType != "UPLOAD_BY_URL" && !strings.EqualFold(signature, sig) {
		return nil, "", "", errParam("%s_signature: %s is not the md5 of the file (%s)", prefix, signature, sig)
	}
	return data, name, sig, nil
}

// material returns the library's material with the md5 of the upload's
// content (the platform dedupes uploads) or, for new content, the one add
// makes of it (add checks the bytes unless the upload is by URL).
func (u *uploadReq) material(rc *reqCtx, prefix string, file formFile, signature, url string,
	add func(data []byte, name, sig string) (*material, *apiError)) (*material, *apiError) {
	data, name, sig, err := u.content(prefix, file, signature, url)
	if err != nil {
		return nil, err
	}
	if m := rc.st.matBySig[sig]; m != nil {
		return m, nil
	}
	m, err := add(data, name, sig)
	if err != nil {
		return nil, err
	}
	m.aigc = u.IsAigc
	return m, nil
}

// POST 2/file/image/ad
func (s *Sim) hImageUpload(rc *reqCtx, req *imageUploadReq) (any, *apiError) {
	m, err := req.material(rc, "image", req.ImageFile, req.ImageSignature, req.ImageURL, func(data []byte, name, sig string) (*material, *apiError) {
		format, w, h := "jpg", 1280, 720
		if req.UploadType != "UPLOAD_BY_URL" {
			if len(data) > MaxImageBytes {
				return nil, errParam("image_file: %d bytes, at most %d (1.5 MB)", len(data), MaxImageBytes)
			}
			var ok bool
			if format, w, h, ok = imageInfo(data); !ok {
				return nil, errParam("image_file: not a jpg, png, gif or bmp image")
			}
		}
		return rc.st.upload(rc, matImage, name, sig, int64(len(data)), format, w, h, 0), nil
	})
	if err != nil {
		return nil, err
	}
	return obj{{"id", m.key}, {"material_id", m.id}, {"size", m.size}, {"width", m.width}, {"height", m.height},
		{"url", m.url()}, {"format", m.format}, {"signature", m.signature}}, nil
}

// POST 2/file/video/ad
func (s *Sim) hVideoUpload(rc *reqCtx, req *videoUploadReq) (any, *apiError) {
	m, err := req.material(rc, "video", req.VideoFile, req.VideoSignature, req.VideoURL, func(data []byte, name, sig string) (*material, *apiError) {
		format := "mp4"
		if req.UploadType != "UPLOAD_BY_URL" {
			var ok bool
			if format, ok = videoFormat(data); !ok {
				return nil, errParam("video_file: not an mp4, mpeg, 3gp or avi video")
			}
		}
		h := h2(rc.w.seed, binary.BigEndian.Uint64([]byte(sig[:8])))
		dims := [][2]int{{1080, 1920}, {720, 1280}, {1280, 720}, {1920, 1080}}[h%4]
		return rc.st.upload(rc, matVideo, name, sig, int64(len(data)), format, dims[0], dims[1], 5_000+int64((h>>8)%55_000)), nil
	})
	if err != nil {
		return nil, err
	}
	return obj{{"video_id", m.key}, {"material_id", m.id}, {"size", m.size}, {"width", m.width}, {"height", m.height},
		{"video_url", m.url()}, {"duration", m.durationSec()}, {"video_signature", m.signature}}, nil
}

// upload adds an uploaded material to st's library.
func (st *advState) upload(rc *reqCtx, kind materialKind, name, sig string, size int64, format string, w, h int, durationMs int64) *material {
	m := &material{id: makeID(rc.w.idKey, idMaterial, uint64(st.idx), st.nextMaterial), kind: kind, created: rc.now.Unix(),
		signature: sig, size: size, format: format, width: w, height: h, durationMs: durationMs, filename: name,
		source: "AD_SITE", uploaded: true}
	st.nextMaterial++
	switch {
	case kind == matVideo && w > h:
		m.imageMode = "CREATIVE_IMAGE_MODE_VIDEO"
	case kind == matVideo:
		m.imageMode = "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL"
	case w < 600:
		m.imageMode = "CREATIVE_IMAGE_MODE_SMALL"
	case h > w:
		m.imageMode = "CREATIVE_IMAGE_MODE_LARGE_VERTICAL"
	default:
		m.imageMode = "CREATIVE_IMAGE_MODE_LARGE"
	}
	st.keyMaterial(m)
	return m
}

// imageInfo reads an image's format and size from its header.
func imageInfo(data []byte) (string, int, int, bool) {
	if len(data) >= 26 && data[0] == 'B' && data[1] == 'M' {
		w := int32(binary.LittleEndian.Uint32(data[18:22]))
		h := int32(binary.LittleEndian.Uint32(data[22:26]))
		if h < 0 {
			h = -h // top-down bitmap
		}
		return "bmp", int(w), int(h), w > 0 && h > 0
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", 0, 0, false
	}
	if format == "jpeg" {
		format = "jpg"
	}
	return format, cfg.Width, cfg.Height, true
}

// videoFormat recognises a video container by its first bytes.
func videoFormat(data []byte) (string, bool) {
	switch {
	case len(data) >= 12 && string(data[4:8]) == "ftyp" && strings.HasPrefix(string(data[8:11]), "3g"):
		return "3gp", true
	case len(data) >= 12 && string(data[4:8]) == "ftyp":
		return "mp4", true
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "AVI ":
		return "avi", true
	case len(data) >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 1 && (data[3] == 0xBA || data[3] == 0xB3):
		return "mpeg", true
	}
	return "", false
}
