package sandbox

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Every leaf advertiser has a material library: the images and videos its
// creatives (v2) and promotions (v3) show, plus what is uploaded through
// 2/file/image/ad and 2/file/video/ad. Generated materials derive from the
// seed (their own random stream, so the rest of the world is unchanged);
// uploads are keyed by the md5 of their bytes, as the platform dedupes them.

type materialKind uint8

const (
	matImage materialKind = iota
	matVideo
)

// material is one image or video of an advertiser's library.
type material struct {
	id         int64 // material_id (the report key)
	kind       materialKind
	key        string // image id or video id
	signature  string // md5 of the file, hex
	width      int
	height     int
	size       int64
	format     string
	durationMs int64 // videos
	filename   string
	created    int64
	imageMode  string // the creative image mode it suits
	coverKey   string // videos: the cover image id
	source     string
	uploaded   bool
	aigc       bool    // declared AI-generated at upload
	ent        *entity // the material as a report row group (lvMaterial)
}

// group returns the entity standing for m in material reports: its id and
// file name.
func (m *material) group() *entity {
	return m.ent
}

// title is a v3 title material.
type title struct {
	id   int64
	text string
}

// materialLibrary generates st's materials and attaches them to its
// creatives (one each, matching the image mode) and promotions (one to
// three videos and one or two titles).
func (g *generator) materialLibrary() {
	st := g.st
	r := newRng(g.w.seed, 0x3A7E, uint64(st.idx))
	st.matByKey, st.matBySig = map[string]*material{}, map[string]*material{}
	modes := []string{"CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", "CREATIVE_IMAGE_MODE_VIDEO", "CREATIVE_IMAGE_MODE_LARGE", "CREATIVE_IMAGE_MODE_SMALL"}
	byMode := map[string][]*material{}
	for i, m := range modes {
		n := 2 + r.intn(5)
		if i >= 2 {
			n = 1 + r.intn(3)
		}
		for k := 0; k < n; k++ {
			created := g.start - r.between(220, 400)*day - r.between(0, day-1)
			mat := st.newMaterial(g.w.idKey, r, m, created, nil)
			byMode[m] = append(byMode[m], mat)
		}
	}
	for _, cr := range st.creatives {
		cands := byMode[cr.imageMode]
		cr.materials = []*material{cands[h3(g.w.seed, uint64(cr.id), 0x3A7)%uint64(len(cands))]}
	}
	videos := append(append([]*material{}, byMode[modes[0]]...), byMode[modes[1]]...)
	for _, pr := range st.promotions {
		h := h3(g.w.seed, uint64(pr.id), 0x3A8)
		n := 1 + int(h%3)
		for k := 0; k < n; k++ {
			pr.materials = append(pr.materials, videos[(h>>8+uint64(k)*7)%uint64(len(videos))])
		}
		for k := 0; k < 1+int(h>>4%2); k++ {
			pr.titles = append(pr.titles, title{id: makeID(g.w.idKey, idMaterial, uint64(st.idx), 1<<23|uint64(pr.unit)<<2|uint64(k)),
				text: creativeTitles[(h>>16+uint64(k)*5)%uint64(len(creativeTitles))]})
		}
	}
}

// newMaterial adds a material to st's library: generated (data nil; drawn
// from r) or uploaded (data are its bytes). The caller holds st.mu for
// writing (or owns st before it is published).
func (st *advState) newMaterial(idKey uint64, r *rng, imageMode string, created int64, data []byte) *material {
	m := &material{id: makeID(idKey, idMaterial, uint64(st.idx), st.nextMaterial), created: created, imageMode: imageMode, source: "AD_SITE"}
	st.nextMaterial++
	seq := strconv.FormatUint(st.nextMaterial, 10)
	switch imageMode {
	case "CREATIVE_IMAGE_MODE_VIDEO_VERTICAL", "CREATIVE_IMAGE_MODE_VIDEO":
		m.kind, m.format = matVideo, "mp4"
		m.width, m.height = 1080, 1920
		if imageMode == "CREATIVE_IMAGE_MODE_VIDEO" {
			m.width, m.height = 1280, 720
		}
		m.durationMs = r.between(6_000, 60_000)
		m.size = m.durationMs * r.between(200, 600)
		m.filename = "video_" + seq + ".mp4"
	default:
		m.kind, m.format = matImage, "jpg"
		m.width, m.height = 1280, 720
		if imageMode == "CREATIVE_IMAGE_MODE_SMALL" {
			m.width, m.height = 456, 300
		}
		m.size = r.between(80_000, 1_400_000)
		m.filename = "image_" + seq + ".jpg"
	}
	if data != nil {
		sum := md5.Sum(data)
		m.signature, m.size, m.uploaded = hex.EncodeToString(sum[:]), int64(len(data)), true
	} else {
		m.signature = fmt.Sprintf("%016x%016x", r.next(), r.next())
	}
	st.keyMaterial(m)
	return m
}

// keyMaterial gives m its platform keys and report group, and indexes it.
func (st *advState) keyMaterial(m *material) {
	m.ent = &entity{id: m.id, qid: strconv.FormatInt(m.id, 10), imageMode: m.imageMode, unit: -1}
	m.ent.setName(m.filename)
	day := time.Unix(m.created, 0).In(beijing).Format("20060102")
	if m.kind == matVideo {
		m.key = "v0" + m.signature[:30]
		m.coverKey = "web.business.image/" + day + "/" + m.signature[2:26]
	} else {
		m.key = "web.business.image/" + day + "/" + m.signature[:24]
	}
	st.materials = append(st.materials, m)
	st.matByKey[m.key] = m
	st.matBySig[m.signature] = m
}

// url is m's preview address (the platform's are signed and expire; these
// are stable).
func (m *material) url() string {
	if m.kind == matVideo {
		return "https://sandbox-video.oceanops.dev/" + m.key + ".mp4"
	}
	return "https://sandbox-image.oceanops.dev/" + m.key + ".jpg"
}

func (m *material) coverURL() string {
	return "https://sandbox-image.oceanops.dev/" + m.coverKey + ".jpg"
}

// durationSec renders a video's length in seconds with two decimals.
func (m *material) durationSec() cents { return cents(m.durationMs / 10) }
