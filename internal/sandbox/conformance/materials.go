package conformance

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"image"
	"image/png"
)

// Material endpoints: uploads (multipart) and the library lists.

// fileUpload are the parameters the image and video uploads share.
type fileUpload struct {
	AdvertiserId *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	Filename     *string `json:"filename,omitempty"`
	IsAigc       *bool   `json:"is_aigc,omitempty"`
	UploadType   *string `json:"upload_type,omitempty"`
}

// uploadByFile is the fixture advertiser's upload of the file named name
// (sent in the request's own file parameter).
func uploadByFile(f *Fixture, name string) fileUpload {
	return fileUpload{AdvertiserId: ptr(f.Advertiser), Filename: ptr(name), UploadType: ptr("UPLOAD_BY_FILE")}
}

type fileImageAdRequest struct {
	fileUpload
	ImageFile      *File   `json:"image_file,omitempty"`
	ImageSignature *string `json:"image_signature,omitempty"`
	ImageUrl       *string `json:"image_url,omitempty"`
}

type fileVideoAdRequest struct {
	fileUpload
	VideoFile      *File   `json:"video_file,omitempty"`
	VideoSignature *string `json:"video_signature,omitempty"`
	VideoUrl       *string `json:"video_url,omitempty"`
}

// libraryFiltering is the filtering the image and video lists share.
type libraryFiltering struct {
	EndTime     *string   `json:"end_time,omitempty"`
	MaterialIds []int64   `json:"material_ids,omitempty"`
	Ratio       []float64 `json:"ratio,omitempty"`
	Signatures  []string  `json:"signatures,omitempty"`
	StartTime   *string   `json:"start_time,omitempty"`
}

type fileImageGetFiltering struct {
	libraryFiltering
	Height   *float64 `json:"height,omitempty"`
	ImageIds []string `json:"image_ids,omitempty"`
	Width    *float64 `json:"width,omitempty"`
}

type fileVideoGetFiltering struct {
	libraryFiltering
	Height   *int64   `json:"height,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	VideoIds []string `json:"video_ids,omitempty"`
	Width    *int64   `json:"width,omitempty"`
}

// libraryListParams are the parameters of a library list filtered by F.
type libraryListParams[F any] struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty" sdk:"required"`
	filteredPage[F]
}

// libraryList is the first page (20 items) of the fixture advertiser's
// library that filtering matches.
func libraryList[F any](f *Fixture, filtering *F) *libraryListParams[F] {
	return &libraryListParams[F]{AdvertiserId: ptr(f.Advertiser), filteredPage: pageOf(filtering, 1, 20)}
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// samplePNG is a 1200x628 PNG.
func samplePNG() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1200, 628))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// sampleMP4 starts like an mp4 file (an ftyp box).
var sampleMP4 = append([]byte{0, 0, 0, 24}, []byte("ftypisom\x00\x00\x02\x00isomiso2 sample frames")...)

func materialCases() []Case {
	img := samplePNG()
	return []Case{
		postCase("2/file/image/ad", "FileImageAdV2 (multipart) / FileImageAdV2ResponseData", func(f *Fixture) *fileImageAdRequest {
			return &fileImageAdRequest{fileUpload: uploadByFile(f, "banner.png"), ImageFile: &File{Name: "banner.png", Data: img}, ImageSignature: ptr(md5Hex(img))}
		}, Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str, "format": Str, "signature": Str}).upload(),
		postCase("2/file/video/ad", "FileVideoAdV2 (multipart) / FileVideoAdV2ResponseData", func(f *Fixture) *fileVideoAdRequest {
			return &fileVideoAdRequest{fileUpload: uploadByFile(f, "clip.mp4"), VideoFile: &File{Name: "clip.mp4", Data: sampleMP4}, VideoSignature: ptr(md5Hex(sampleMP4))}
		}, Obj{"video_id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "video_url": Str, "duration": Num,
			"video_signature": Str}).upload(),
		getCase("2/file/image/get", "FileImageGetV2Filtering / FileImageGetV2ResponseDataListInner", func(f *Fixture) *libraryListParams[fileImageGetFiltering] {
			return libraryList(f, &fileImageGetFiltering{libraryFiltering: libraryFiltering{StartTime: ptr("2024-01-01"), EndTime: ptr("2025-06-18")}})
		}, list(Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str,
			"format": Str, "signature": Str, "create_time": Str, "filename": Str, "aigc": Bool})),
		getCase("2/file/video/get", "FileVideoGetV2Filtering / FileVideoGetV2ResponseDataListInner", func(f *Fixture) *libraryListParams[fileVideoGetFiltering] {
			return libraryList(f, &fileVideoGetFiltering{VideoIds: []string{f.Material("video").Key}})
		}, list(Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str,
			"poster_url": Str, "format": Str, "signature": Str, "duration": Num, "bit_rate": Int, "create_time": Str, "filename": Str,
			"source": Str, "labels": Arr{Elem: Str}, "organization_tags": Arr{Elem: Str}})),
	}
}
