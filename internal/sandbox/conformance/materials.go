package conformance

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"image"
	"image/png"
)

// Material endpoints: uploads (multipart) and the library lists.

type fileImageAdRequest struct {
	AdvertiserId   *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	Filename       *string `json:"filename,omitempty"`
	ImageFile      *File   `json:"image_file,omitempty"`
	ImageSignature *string `json:"image_signature,omitempty"`
	ImageUrl       *string `json:"image_url,omitempty"`
	IsAigc         *bool   `json:"is_aigc,omitempty"`
	UploadType     *string `json:"upload_type,omitempty"`
}

type fileVideoAdRequest struct {
	AdvertiserId   *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	Filename       *string `json:"filename,omitempty"`
	IsAigc         *bool   `json:"is_aigc,omitempty"`
	UploadType     *string `json:"upload_type,omitempty"`
	VideoFile      *File   `json:"video_file,omitempty"`
	VideoSignature *string `json:"video_signature,omitempty"`
	VideoUrl       *string `json:"video_url,omitempty"`
}

type fileImageGetFiltering struct {
	EndTime     *string   `json:"end_time,omitempty"`
	Height      *float64  `json:"height,omitempty"`
	ImageIds    []string  `json:"image_ids,omitempty"`
	MaterialIds []int64   `json:"material_ids,omitempty"`
	Ratio       []float64 `json:"ratio,omitempty"`
	Signatures  []string  `json:"signatures,omitempty"`
	StartTime   *string   `json:"start_time,omitempty"`
	Width       *float64  `json:"width,omitempty"`
}

type fileImageGetParams struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty" sdk:"required"`
	filteredPage[fileImageGetFiltering]
}

type fileVideoGetFiltering struct {
	EndTime     *string   `json:"end_time,omitempty"`
	Height      *int64    `json:"height,omitempty"`
	Labels      []string  `json:"labels,omitempty"`
	MaterialIds []int64   `json:"material_ids,omitempty"`
	Ratio       []float64 `json:"ratio,omitempty"`
	Signatures  []string  `json:"signatures,omitempty"`
	StartTime   *string   `json:"start_time,omitempty"`
	VideoIds    []string  `json:"video_ids,omitempty"`
	Width       *int64    `json:"width,omitempty"`
}

type fileVideoGetParams struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty" sdk:"required"`
	filteredPage[fileVideoGetFiltering]
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
			return &fileImageAdRequest{AdvertiserId: ptr(f.Advertiser), Filename: ptr("banner.png"), ImageFile: &File{Name: "banner.png", Data: img},
				ImageSignature: ptr(md5Hex(img)), UploadType: ptr("UPLOAD_BY_FILE")}
		}, Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str, "format": Str, "signature": Str}).upload(),
		postCase("2/file/video/ad", "FileVideoAdV2 (multipart) / FileVideoAdV2ResponseData", func(f *Fixture) *fileVideoAdRequest {
			return &fileVideoAdRequest{AdvertiserId: ptr(f.Advertiser), Filename: ptr("clip.mp4"), VideoFile: &File{Name: "clip.mp4", Data: sampleMP4},
				VideoSignature: ptr(md5Hex(sampleMP4)), UploadType: ptr("UPLOAD_BY_FILE")}
		}, Obj{"video_id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "video_url": Str, "duration": Num,
			"video_signature": Str}).upload(),
		getCase("2/file/image/get", "FileImageGetV2Filtering / FileImageGetV2ResponseDataListInner", func(f *Fixture) *fileImageGetParams {
			return &fileImageGetParams{AdvertiserId: ptr(f.Advertiser), filteredPage: pageOf(&fileImageGetFiltering{StartTime: ptr("2024-01-01"), EndTime: ptr("2025-06-18")}, 1, 20)}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str,
			"format": Str, "signature": Str, "create_time": Str, "filename": Str, "aigc": Bool}}, "page_info": pageInfo}),
		getCase("2/file/video/get", "FileVideoGetV2Filtering / FileVideoGetV2ResponseDataListInner", func(f *Fixture) *fileVideoGetParams {
			return &fileVideoGetParams{AdvertiserId: ptr(f.Advertiser), filteredPage: pageOf(&fileVideoGetFiltering{VideoIds: []string{f.Material("video").Key}}, 1, 20)}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"id": Str, "material_id": Int, "size": Int, "width": Int, "height": Int, "url": Str,
			"poster_url": Str, "format": Str, "signature": Str, "duration": Num, "bit_rate": Int, "create_time": Str, "filename": Str,
			"source": Str, "labels": Arr{Elem: Str}, "organization_tags": Arr{Elem: Str}}}, "page_info": pageInfo}),
	}
}
