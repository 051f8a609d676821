package sandbox

import (
	"maps"
	"slices"
	"sync"
)

// Reference data the tools endpoints answer: regions (provinces by their
// two-digit administrative code, cities four digits, districts six, business
// districts seven), interest and action categories, and industries (the
// ones advertisers are generated with, plus a third level). It is fixed, the
// same for every seed.

// region is one node of the region tree.
type region struct {
	id, parent int64
	name       string
	level      string // REGION_LEVEL_PROVINCE, _CITY, _DISTRICT, _BUSINESS_DISTRICT
	// share is the region's part of the national audience, per ten thousand.
	share int64
}

var provinceNames = []struct {
	code  int64
	name  string
	share int64
}{
	{11, "北京", 320}, {12, "天津", 200}, {13, "河北", 520}, {14, "山西", 250}, {15, "内蒙古", 170}, {21, "辽宁", 310},
	{22, "吉林", 170}, {23, "黑龙江", 220}, {31, "上海", 330}, {32, "江苏", 640}, {33, "浙江", 560}, {34, "安徽", 420},
	{35, "福建", 310}, {36, "江西", 310}, {37, "山东", 700}, {41, "河南", 690}, {42, "湖北", 420}, {43, "湖南", 460},
	{44, "广东", 940}, {45, "广西", 350}, {46, "海南", 70}, {50, "重庆", 230}, {51, "四川", 580}, {52, "贵州", 270},
	{53, "云南", 330}, {54, "西藏", 20}, {61, "陕西", 280}, {62, "甘肃", 170}, {63, "青海", 40}, {64, "宁夏", 50},
	{65, "新疆", 180}, {71, "台湾", 10}, {81, "香港", 10}, {82, "澳门", 10},
}

// cityNames are the cities the sandbox knows, by province code.
var cityNames = map[int64][]string{
	11: {"北京市"}, 31: {"上海市"}, 50: {"重庆市"}, 12: {"天津市"},
	44: {"广州", "韶关", "深圳", "珠海", "汕头", "佛山", "江门", "湛江", "茂名", "肇庆", "惠州", "东莞"},
	32: {"南京", "无锡", "徐州", "常州", "苏州", "南通"}, 33: {"杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴"},
	51: {"成都", "自贡", "攀枝花", "泸州", "德阳", "绵阳"}, 42: {"武汉", "黄石", "十堰", "宜昌"},
	37: {"济南", "青岛", "淄博", "枣庄", "东营", "烟台"}, 41: {"郑州", "开封", "洛阳"}, 43: {"长沙", "株洲", "湘潭"},
	61: {"西安", "铜川", "宝鸡"}, 35: {"福州", "厦门", "莆田"}, 34: {"合肥", "芜湖", "蚌埠"},
}

// districtNames are districts of a few cities, by city code.
var districtNames = map[int64][]string{
	1101: {"东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区"},
	3101: {"黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "浦东新区"},
	4401: {"荔湾区", "越秀区", "海珠区", "天河区", "白云区", "黄埔区"},
	4403: {"罗湖区", "福田区", "南山区", "宝安区", "龙岗区", "盐田区"},
	3301: {"上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"},
}

// businessDistricts are business districts of a few districts.
var businessDistricts = map[int64][]string{
	110105: {"三里屯", "国贸", "望京"}, 310101: {"南京东路", "外滩"}, 440106: {"天河城", "珠江新城"}, 440305: {"科技园", "海岸城"},
}

var regionsOnce = sync.OnceValue(buildRegions)

func buildRegions() []region {
	var out []region
	for _, p := range provinceNames {
		out = append(out, region{id: p.code, name: p.name, level: "REGION_LEVEL_PROVINCE", share: p.share})
		cities := cityNames[p.code]
		for i, c := range cities {
			cid := p.code*100 + int64(i) + 1
			out = append(out, region{id: cid, parent: p.code, name: c, level: "REGION_LEVEL_CITY", share: p.share / int64(len(cities)+1)})
			ds := districtNames[cid]
			for j, d := range ds {
				did := cid*100 + int64(j) + 1
				out = append(out, region{id: did, parent: cid, name: d, level: "REGION_LEVEL_DISTRICT", share: max(p.share/int64(len(cities)+1)/int64(len(ds)+1), 1)})
				for k, b := range businessDistricts[did] {
					out = append(out, region{id: did*10 + int64(k) + 1, parent: did, name: b, level: "REGION_LEVEL_BUSINESS_DISTRICT", share: 1})
				}
			}
		}
	}
	return out
}

// regionByID finds a region.
func regionByID(id int64) (region, bool) {
	rs := regionsOnce()
	i := slices.IndexFunc(rs, func(r region) bool { return r.id == id })
	if i < 0 {
		return region{}, false
	}
	return rs[i], true
}

// category is an interest or action category with its audience coverage.
type category struct {
	id       int64
	name     string
	num      int64 // people covered
	children []category
}

func categoryTree(base int64, names map[string][]string, order []string, scale int64) []category {
	out := make([]category, 0, len(order))
	for i, top := range order {
		id := base + int64(i+1)*100
		c := category{id: id, name: top}
		for j, sub := range names[top] {
			n := scale * int64(5+(7*i+3*j)%20)
			c.children = append(c.children, category{id: id + int64(j) + 1, name: sub, num: n})
			c.num += n
		}
		out = append(out, c)
	}
	return out
}

var interestOrder = []string{"游戏", "服饰鞋帽箱包", "教育", "金融", "汽车", "餐饮美食", "美妆个护", "旅游", "母婴", "家居建材"}

var interestNames = map[string][]string{
	"游戏": {"休闲益智", "角色扮演", "策略", "棋牌"}, "服饰鞋帽箱包": {"女装", "男装", "鞋靴", "箱包"},
	"教育": {"职业教育", "语言培训", "学历教育", "K12"}, "金融": {"保险", "理财", "信用卡"},
	"汽车": {"新能源汽车", "二手车", "汽车用品"}, "餐饮美食": {"中餐", "咖啡茶饮", "烘焙甜点"},
	"美妆个护": {"护肤", "彩妆", "个人护理"}, "旅游": {"国内游", "出境游", "酒店住宿"},
	"母婴": {"孕产", "婴童用品", "早教"}, "家居建材": {"家具", "装修", "家纺"},
}

var actionNames = map[string]map[string][]string{
	"E-COMMERCE": {"服饰": {"女装购买", "男装购买"}, "美妆": {"护肤品购买", "彩妆购买"}, "食品": {"零食购买", "生鲜购买"}},
	"NEWS":       {"科技": {"数码资讯", "互联网"}, "财经": {"股票", "理财资讯"}, "汽车": {"新车资讯", "用车养车"}},
	"APP":        {"游戏": {"游戏下载", "游戏付费"}, "工具": {"效率工具", "拍照美化"}, "社交": {"婚恋", "社区"}},
}

var actionOrder = []string{"E-COMMERCE", "NEWS", "APP"}

// interestCategories is the interest category tree.
var interestCategories = sync.OnceValue(func() []category {
	return categoryTree(10_000, interestNames, interestOrder, 1_000_000)
})

// actionCategories is the action category tree of a scene over days of
// behaviour (more days, more people).
func actionCategories(scene string, days int64) []category {
	names := actionNames[scene]
	order := slices.Sorted(maps.Keys(names))
	base := int64(20_000 + 1_000*slices.Index(actionOrder, scene))
	return categoryTree(base, names, order, 20_000*days)
}

// industry is one node of the industry tree.
type industry struct {
	id, first, second int64
	level             int
	names             [3]string // first, second and third level names (as deep as level)
}

// industryTree lists industries: the first and second levels advertisers
// are generated with, and a third level under each second.
var industryTree = sync.OnceValue(func() []industry {
	var out []industry
	firsts, seconds := map[string]int64{}, map[string]int64{}
	for _, ind := range industries {
		f, ok := firsts[ind[0]]
		if !ok {
			f = int64(len(firsts)+1) * 100
			firsts[ind[0]] = f
			out = append(out, industry{id: f, first: f, level: 1, names: [3]string{ind[0]}})
		}
		if _, ok := seconds[ind[1]]; ok {
			continue
		}
		sec := f*100 + int64(len(seconds)+1)
		seconds[ind[1]] = sec
		out = append(out, industry{id: sec, first: f, second: sec, level: 2, names: [3]string{ind[0], ind[1]}})
		for k, third := range []string{"品牌", "渠道", "服务"} {
			out = append(out, industry{id: sec*100 + int64(k+1), first: f, second: sec, level: 3, names: [3]string{ind[0], ind[1], ind[1] + third}})
		}
	}
	return out
})
