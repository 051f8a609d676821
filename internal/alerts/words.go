package alerts

// The words alerts use for what an ad operation changes, shared by the
// announcements of scheduled changes and of rules.
var (
	fieldWords = map[string]string{"status": "状态", "budget": "预算", "bid": "出价", "cpa_bid": "目标转化出价"}
	valueWords = map[string]string{"enable": "开启", "disable": "暂停", "delete": "删除", "unlimited": "不限"}
)

// FieldWords names an entity's field ("预算"); the code where there are no
// words for it.
func FieldWords(field string) string {
	if w, ok := fieldWords[field]; ok {
		return w
	}
	return field
}

// ValueWords says a value an operation sets: a status ("暂停"), unlimited
// ("不限") or an amount ("1,500.00 元"); "—" for none.
func ValueWords(v string) string {
	if w, ok := valueWords[v]; ok {
		return w
	}
	if v == "" {
		return "—"
	}
	return Amount(v) + " 元"
}
