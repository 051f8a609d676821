package sandbox

import (
	"math"
	"slices"
	"sort"
	"strconv"
)

// The material library lists: 2/file/image/get and 2/file/video/get.

type materialFilter struct {
	MaterialIDs []int64   `oe:"material_ids,maxn=100"`
	Signatures  []string  `oe:"signatures,maxn=100"`
	Width       string    `oe:"width"`
	Height      string    `oe:"height"`
	Ratio       []float64 `oe:"ratio"`
	StartTime   string    `oe:"start_time,date"`
	EndTime     string    `oe:"end_time,date"`
}

type imageListReq struct {
	Filtering struct {
		ImageIDs []string `oe:"image_ids,maxn=100"`
		materialFilter
	} `oe:"filtering,filter"`
	Page     int `oe:"page,def=1,min=1,max=1073741824"`
	PageSize int `oe:"page_size,def=20,min=1,max=100"`
}

type videoListReq struct {
	Filtering struct {
		VideoIDs []string `oe:"video_ids,maxn=100"`
		Labels   []string `oe:"labels"`
		Source   []string `oe:"source"`
		materialFilter
	} `oe:"filtering,filter"`
	Page     int `oe:"page,def=1,min=1,max=1073741824"`
	PageSize int `oe:"page_size,def=20,min=1,max=100"`
}

// matcher turns the filter into a predicate; keys are the image or video
// ids. Only one of keys, material_ids and signatures may be given.
func (f *materialFilter) matcher(keysName string, keys []string) (func(*material) bool, *apiError) {
	given := 0
	for _, n := range []int{len(keys), len(f.MaterialIDs), len(f.Signatures)} {
		if n > 0 {
			given++
		}
	}
	if given > 1 {
		return nil, errParam("filtering: only one of %s, material_ids and signatures may be given", keysName)
	}
	w, errW := optionalInt("filtering.width", f.Width)
	h, errH := optionalInt("filtering.height", f.Height)
	if errW != nil {
		return nil, errW
	}
	if errH != nil {
		return nil, errH
	}
	var from, to int64 = math.MinInt64, math.MaxInt64
	if d, ok := parseDate(f.StartTime); ok {
		from = dayStart(d).Unix()
	}
	if d, ok := parseDate(f.EndTime); ok {
		to = dayStart(d + 1).Unix()
	}
	return func(m *material) bool {
		ratio := float64(m.width) / float64(m.height)
		return (len(keys) == 0 || slices.Contains(keys, m.key)) && (len(f.MaterialIDs) == 0 || slices.Contains(f.MaterialIDs, m.id)) &&
			(len(f.Signatures) == 0 || slices.Contains(f.Signatures, m.signature)) &&
			(w < 0 || m.width == w) && (h < 0 || m.height == h) && m.created >= from && m.created < to &&
			(len(f.Ratio) == 0 || slices.ContainsFunc(f.Ratio, func(r float64) bool { return math.Abs(ratio-r) <= 0.05 }))
	}, nil
}

func optionalInt(name, s string) (int, *apiError) {
	if s == "" {
		return -1, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) {
		return 0, errParam("%s: must be a whole number of pixels", name)
	}
	return int(f), nil
}

// pickMaterials selects st's materials of kind matching keep, newest first,
// and pages them.
func pickMaterials(st *advState, kind materialKind, keep func(*material) bool, page, size int) ([]*material, int) {
	var sel []*material
	for _, m := range st.materials {
		if m.kind == kind && keep(m) {
			sel = append(sel, m)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool { return sel[i].created > sel[j].created })
	lo, hi := pageBounds(page, size, len(sel))
	return sel[lo:hi], len(sel)
}

// GET 2/file/image/get
func (s *Sim) hImageList(rc *reqCtx, req *imageListReq) (any, *apiError) {
	keep, err := req.Filtering.matcher("image_ids", req.Filtering.ImageIDs)
	if err != nil {
		return nil, err
	}
	sel, total := pickMaterials(rc.st, matImage, keep, req.Page, req.PageSize)
	list := make([]obj, 0, len(sel))
	for _, m := range sel {
		list = append(list, obj{{"id", m.key}, {"material_id", m.id}, {"size", m.size}, {"width", m.width}, {"height", m.height},
			{"url", m.url()}, {"format", m.format}, {"signature", m.signature}, {"create_time", fmtTime(m.created)},
			{"filename", m.filename}, {"aigc", m.aigc}})
	}
	return obj{{"list", list}, {"page_info", pageInfo(req.Page, req.PageSize, total)}}, nil
}

// GET 2/file/video/get
func (s *Sim) hVideoList(rc *reqCtx, req *videoListReq) (any, *apiError) {
	f := &req.Filtering
	keep, err := f.matcher("video_ids", f.VideoIDs)
	if err != nil {
		return nil, err
	}
	sel, total := pickMaterials(rc.st, matVideo, func(m *material) bool {
		return keep(m) && len(f.Labels) == 0 && (len(f.Source) == 0 || slices.Contains(f.Source, m.source))
	}, req.Page, req.PageSize)
	list := make([]obj, 0, len(sel))
	for _, m := range sel {
		bitRate := int64(0)
		if m.durationMs > 0 {
			bitRate = m.size * 8 * 1000 / m.durationMs
		}
		list = append(list, obj{{"id", m.key}, {"material_id", m.id}, {"size", m.size}, {"width", m.width}, {"height", m.height},
			{"url", m.url()}, {"poster_url", m.coverURL()}, {"format", m.format}, {"signature", m.signature},
			{"duration", m.durationSec()}, {"bit_rate", bitRate}, {"create_time", fmtTime(m.created)},
			{"filename", m.filename}, {"source", m.source}, {"labels", []string{}}, {"organization_tags", []string{}}})
	}
	return obj{{"list", list}, {"page_info", pageInfo(req.Page, req.PageSize, total)}}, nil
}
