package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/mysql/mysqltest"
)

// A client groups accounts across users' scopes: each user moves only the
// accounts they see, sees only those, and reports by client sum exactly the
// accounts that belong to it.
func TestClients(t *testing.T) {
	w := setupReportWorld(t)
	const (
		mgr    int64 = 1764248275996100 // a majordomo account with two children, the admin's only
		child1 int64 = 1764248275996101
		child2 int64 = 1764248275996102
	)
	mysqltest.Exec(t, w.db, `INSERT INTO advertisers (id, name, account_role, parent_id) VALUES
		(?, '纵横', 'CUSTOMER_ADMIN', NULL), (?, '子一', 'ADVERTISER', ?), (?, '子二', 'ADVERTISER', ?)`, mgr, child1, mgr, child2, mgr)
	for _, d := range []string{w.yesterday, w.today} {
		rpDaily(t, w.db, child1, "ad", d, 1710000000000301, 1710000000000003, rpMetrics{"1.05", 10, 1, 0})
		rpDaily(t, w.db, child1, "advertiser", d, child1, 0, rpMetrics{"1.05", 10, 1, 0})
	}
	_, viewer := w.signUp(t, w.admin, "vera", "Copper-Meadow-519", []string{"viewer"}, rpAdvA)

	post := func(token, path, body string) resp {
		return w.do(t, req{method: http.MethodPost, path: path, body: body, token: token})
	}
	w.check(t, "a viewer creates a client", req{method: http.MethodPost, path: "/api/v1/clients", body: `{"name":"x"}`, token: viewer.AccessToken}, http.StatusForbidden)
	star := okCreated[clientJSON](t, post(w.alice, "/api/v1/clients", `{"name":" 星河传媒 ","note":"双十一大促"}`), "create 星河传媒")
	if star.Name != "星河传媒" || star.Note != "双十一大促" || star.Advertisers != 0 {
		t.Fatalf("created %+v", star)
	}
	wantReason(t, post(w.bob, "/api/v1/clients", `{"name":"星河传媒"}`), "the same name", http.StatusConflict, "client_name_taken", map[string]string{"name": "星河传媒"})
	if r := post(w.bob, "/api/v1/clients", `{"name":"   "}`); r.status != http.StatusUnprocessableEntity || r.fields()[0] != "name" {
		t.Fatalf("blank name: %d %s", r.status, r.raw)
	}
	hill := okCreated[clientJSON](t, post(w.admin, "/api/v1/clients", `{"name":"远山"}`), "create 远山")

	// Each moves what they see; an account outside the caller's scope is
	// not found and nothing moves.
	set := func(token string, client int64, ids ...int64) resp {
		return post(token, "/api/v1/advertisers/client", fmt.Sprintf(`{"client_id":%d,"advertiser_ids":%s}`, client, jsonIDs(ids)))
	}
	wantReason(t, set(w.alice, star.ID, rpAdvA, rpAdvB), "alice moves bob's account", http.StatusNotFound, "not_found",
		map[string]string{"thing": "advertiser", "id": fmt.Sprint(rpAdvB)})
	if got := okData[setClientJSON](t, set(w.alice, star.ID, rpAdvA), "alice moves A"); got.Changed != 1 {
		t.Fatalf("alice moved %+v", got)
	}
	if got := okData[setClientJSON](t, set(w.bob, star.ID, rpAdvB, rpAdvB), "bob moves B"); got.Changed != 1 {
		t.Fatalf("bob moved %+v", got)
	}
	if got := okData[setClientJSON](t, set(w.bob, star.ID, rpAdvB), "bob moves B again"); got.Changed != 0 {
		t.Fatalf("moving again changed %+v", got)
	}
	wantReason(t, set(w.admin, 999999, child1), "an unknown client", http.StatusNotFound, "not_found", map[string]string{"thing": "client"})
	// A manager account takes its children with it.
	if got := okData[setClientJSON](t, set(w.admin, hill.ID, mgr), "admin moves the majordomo"); got.Changed != 3 {
		t.Fatalf("the majordomo moved %+v", got)
	}

	// Counts and accounts within each one's scope.
	counts := func(token string) map[string]int {
		out := map[string]int{}
		for _, c := range okData[[]clientJSON](t, w.get(t, token, "/api/v1/clients", nil), "clients") {
			out[c.Name] = c.Advertisers
		}
		return out
	}
	if got := counts(w.alice); got["星河传媒"] != 1 || got["远山"] != 0 || len(got) != 2 {
		t.Errorf("alice's clients = %v", got)
	}
	if got := counts(w.admin); got["星河传媒"] != 2 || got["远山"] != 3 {
		t.Errorf("the admin's clients = %v", got)
	}
	listed := func(token string, clientID int64) (names []string) {
		page := okData[struct{ Items []advertiserResponse }](t, w.get(t, token, "/api/v1/advertisers", url.Values{"client_id": {fmt.Sprint(clientID)}}), "advertisers of a client")
		for _, a := range page.Items {
			names = append(names, a.Name+"/"+a.ClientName)
		}
		return names
	}
	if got := fmt.Sprint(listed(w.admin, star.ID)); got != "[乙 advertiser/星河传媒 甲 广告主/星河传媒]" {
		t.Errorf("星河传媒's accounts = %s", got)
	}
	if got := fmt.Sprint(listed(w.alice, star.ID)); got != "[甲 广告主/星河传媒]" {
		t.Errorf("星河传媒's accounts for alice = %s", got)
	}
	if got := fmt.Sprint(listed(w.admin, 0)); got != "[]" {
		t.Errorf("accounts of no client = %s", got)
	}

	// Reports by client: exact sums of the accounts each holds, in scope.
	byClient := func(token string, q url.Values) reportResponse {
		q.Set("level", "ad")
		q.Set("from", w.yesterday)
		q.Set("to", w.today)
		return okData[reportResponse](t, w.get(t, token, "/api/v1/reports", q), "report "+q.Encode())
	}
	rep := byClient(w.admin, url.Values{"group_by": {"client"}, "order_by": {"client"}})
	if len(rep.Items) != 2 || *rep.Items[0].ClientName != "星河传媒" || rep.Items[0].Cost != "16.14" ||
		*rep.Items[1].ClientName != "远山" || rep.Items[1].Cost != "2.10" || rep.Summary.Cost != "18.24" {
		t.Errorf("by client: %+v", rep)
	}
	if rep = byClient(w.alice, url.Values{"group_by": {"client"}}); len(rep.Items) != 1 || rep.Items[0].Cost != "0.60" {
		t.Errorf("alice by client: %+v", rep)
	}
	if rep = byClient(w.admin, url.Values{"client_ids": {fmt.Sprint(hill.ID)}, "group_by": {"advertiser"}}); len(rep.Items) != 1 ||
		*rep.Items[0].AdvertiserID != child1 || rep.Summary.Cost != "2.10" {
		t.Errorf("远山's report: %+v", rep)
	}
	f := w.xlsxExport(t, w.admin, fmt.Sprintf(`{"format":"xlsx","level":"ad","from":%q,"to":%q,"group_by":["client"],"order_by":["client"]}`, w.yesterday, w.today))
	sheet, err := f.GetRows("report")
	_ = f.Close()
	if err != nil || len(sheet) != 4 || fmt.Sprint(sheet[0][:3]) != "[client_id client_name cost]" ||
		fmt.Sprint(sheet[1][:3]) != fmt.Sprintf("[%d 星河传媒 16.14]", star.ID) || fmt.Sprint(sheet[2][:3]) != fmt.Sprintf("[%d 远山 2.10]", hill.ID) {
		t.Errorf("export by client: %v %v", sheet, err)
	}
	// The ads of a client's accounts, within each one's scope.
	adsOf := func(token string, client int64) (ids []int64) {
		page := okData[struct{ Items []struct{ ID int64 } }](t, w.get(t, token, "/api/v1/ads", url.Values{"client_ids": {fmt.Sprint(client)}, "order_by": {"id"}}), "ads of a client")
		for _, e := range page.Items {
			ids = append(ids, e.ID)
		}
		return ids
	}
	if got := fmt.Sprint(adsOf(w.admin, star.ID)); got != fmt.Sprint([]int64{rpAdA1, rpAdA2, rpAdB1}) {
		t.Errorf("星河传媒's ads: %s", got)
	}
	if got := fmt.Sprint(adsOf(w.alice, star.ID)); got != fmt.Sprint([]int64{rpAdA1, rpAdA2}) {
		t.Errorf("星河传媒's ads for alice: %s", got)
	}
	if got := adsOf(w.admin, hill.ID); len(got) != 0 {
		t.Errorf("远山's ads (none mirrored): %v", got)
	}

	// The dashboard of a client: its accounts' figures only (0.30 + 7.77 yesterday).
	var dash struct {
		YesterdayFull struct{ Cost string } `json:"yesterday_full"`
	}
	w.get(t, w.admin, "/api/v1/dashboard/overview", url.Values{"client_ids": {fmt.Sprint(star.ID)}}).data(t, &dash)
	if dash.YesterdayFull.Cost != "8.07" {
		t.Errorf("星河传媒's dashboard: yesterday %s, want 8.07", dash.YesterdayFull.Cost)
	}
	w.get(t, w.admin, "/api/v1/dashboard/overview", url.Values{"client_ids": {fmt.Sprint(hill.ID)}}).data(t, &dash)
	if dash.YesterdayFull.Cost != "1.05" {
		t.Errorf("远山's dashboard: yesterday %s, want 1.05", dash.YesterdayFull.Cost)
	}
	// Its balances and its accounts' sync status, alone.
	mysqltest.Exec(t, w.db, `INSERT INTO oe_authorizations (app_id, status) VALUES (1, 'active')`)
	mysqltest.Exec(t, w.db, `UPDATE advertisers SET authorization_id = (SELECT MAX(id) FROM oe_authorizations),
		balance = CASE id WHEN ? THEN 10.10 WHEN ? THEN 20.25 ELSE 99.99 END`, rpAdvA, rpAdvB)
	var bal struct {
		Total       string `json:"total"`
		Advertisers int    `json:"advertisers"`
	}
	w.get(t, w.admin, "/api/v1/dashboard/balances", url.Values{"client_id": {fmt.Sprint(star.ID)}}).data(t, &bal)
	if bal.Total != "30.35" || bal.Advertisers != 2 {
		t.Errorf("星河传媒's balances: %+v, want 30.35 over 2", bal)
	}
	var status struct {
		Advertisers struct {
			Items []struct {
				AdvertiserID int64 `json:"advertiser_id"`
			} `json:"items"`
		} `json:"advertisers"`
	}
	w.get(t, w.admin, "/api/v1/sync/status", url.Values{"client_id": {fmt.Sprint(hill.ID)}}).data(t, &status)
	if got := status.Advertisers.Items; len(got) != 2 || got[0].AdvertiserID != child1 || got[1].AdvertiserID != child2 {
		t.Errorf("远山's sync status: %+v", got)
	}
	r, _ := w.createExport(t, w.admin, fmt.Sprintf(`{"format":"csv","level":"ad","from":%q,"to":%q,"client_ids":[424242]}`, w.today, w.today))
	wantReason(t, r, "an export of an unknown client", http.StatusNotFound, "not_found", map[string]string{"thing": "client", "id": "424242"})
	r = w.get(t, w.admin, "/api/v1/reports", url.Values{"level": {"ad"}, "from": {w.today}, "to": {w.today}, "client_ids": {"424242"}})
	wantReason(t, r, "an unknown client", http.StatusNotFound, "not_found", map[string]string{"thing": "client", "id": "424242"})

	// Renamed; deleted only once empty (accounts out of the caller's scope
	// count too).
	wantReason(t, w.do(t, req{method: http.MethodPut, path: fmt.Sprintf("/api/v1/clients/%d", hill.ID), body: `{"name":"星河传媒"}`, token: w.admin}),
		"rename to a taken name", http.StatusConflict, "client_name_taken", map[string]string{"name": "星河传媒"})
	renamed := okData[clientJSON](t, w.do(t, req{method: http.MethodPut, path: fmt.Sprintf("/api/v1/clients/%d", hill.ID), body: `{"name":"远山集团","note":"华东"}`, token: w.alice}), "rename")
	if renamed.Name != "远山集团" || renamed.Note != "华东" || renamed.Advertisers != 0 {
		t.Errorf("renamed for alice: %+v", renamed)
	}
	del := func(token string, id int64) resp {
		return w.do(t, req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/clients/%d", id), token: token})
	}
	wantReason(t, del(w.alice, star.ID), "delete a client with accounts", http.StatusConflict, "client_not_empty", map[string]string{"n": "2"})
	okData[setClientJSON](t, set(w.admin, 0, rpAdvA, rpAdvB), "move out")
	w.check(t, "delete the empty client", req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/clients/%d", star.ID), token: w.alice}, http.StatusOK)
	w.check(t, "delete it again", req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/clients/%d", star.ID), token: w.alice}, http.StatusNotFound)

	var audits int
	if err := w.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action IN ('client.create', 'client.update', 'client.delete', 'advertiser.set_client') AND result = 'success'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 9 { // 2 created, 1 renamed, 1 deleted, 5 moves that answered 200
		t.Errorf("%d audit entries of clients, want 9", audits)
	}
}

func jsonIDs(ids []int64) string {
	out := "["
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprint(id)
	}
	return out + "]"
}

// A user given a client sees its accounts, those moved in later too, and
// stops seeing those moved out; an unknown client is refused by its place,
// before the user is created.
func TestClientGivenToAUser(t *testing.T) {
	w := setupReportWorld(t)
	star := okCreated[clientJSON](t, w.do(t, req{method: http.MethodPost, path: "/api/v1/clients", body: `{"name":"星河传媒"}`, token: w.admin}), "create a client")
	move := func(client int64, ids ...int64) {
		t.Helper()
		okData[setClientJSON](t, w.do(t, req{method: http.MethodPost, path: "/api/v1/advertisers/client",
			body: fmt.Sprintf(`{"client_id":%d,"advertiser_ids":%s}`, client, jsonIDs(ids)), token: w.admin}), "move accounts")
	}
	move(star.ID, rpAdvA)

	unknown := w.do(t, req{method: http.MethodPost, path: "/api/v1/users", token: w.admin,
		body: `{"username":"cora","password":"Velvet-Canyon-284","roles":["operator"],"client_ids":[999999]}`})
	if f := unknown.fieldErrs(); unknown.status != http.StatusUnprocessableEntity || len(f) != 1 || f[0].Field != "client_ids[0]" || f[0].Rule != "client_missing" {
		t.Fatalf("an unknown client: %d %s", unknown.status, unknown.raw)
	}
	if n := mysqltest.Value[int](t, w.db, `SELECT COUNT(*) FROM users WHERE username = 'cora'`); n != 0 {
		t.Fatalf("the refused user was created (%d)", n)
	}
	created := okCreated[struct {
		ID int64 `json:"id"`
	}](t, w.do(t, req{method: http.MethodPost, path: "/api/v1/users", token: w.admin,
		body: fmt.Sprintf(`{"username":"cora","password":"Velvet-Canyon-284","roles":["operator"],"client_ids":[%d]}`, star.ID)}), "create cora")
	cora := w.login(t, "cora", "Velvet-Canyon-284").AccessToken
	grants := fmt.Sprintf("/api/v1/users/%d/advertisers", created.ID)
	sees := func(step string, want ...int64) {
		t.Helper()
		var got []int64
		for _, a := range okData[struct{ Items []advertiserResponse }](t, w.get(t, cora, "/api/v1/advertisers", nil), "cora's advertisers").Items {
			got = append(got, a.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: cora sees %v, want %v", step, got, want)
		}
	}
	type grantsJSON struct {
		AdvertiserIDs []int64 `json:"advertiser_ids"`
		ClientIDs     []int64 `json:"client_ids"`
		Advertisers   int     `json:"advertisers"`
	}
	granted := func(step string, want grantsJSON) {
		t.Helper()
		if got := okData[grantsJSON](t, w.get(t, w.admin, grants, nil), "grants"); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: grants %+v, want %+v", step, got, want)
		}
	}
	sees("given the client", rpAdvA)
	granted("given the client", grantsJSON{AdvertiserIDs: []int64{}, ClientIDs: []int64{star.ID}, Advertisers: 1})
	if u := okData[userResponse](t, w.get(t, w.admin, fmt.Sprintf("/api/v1/users/%d", created.ID), nil), "cora"); u.Advertisers != 1 || u.Clients != 1 {
		t.Fatalf("cora's scope in the user: %d accounts, %d clients", u.Advertisers, u.Clients)
	}
	// The client counts its users for those who manage users; the users
	// of a client are listed by it. An operator is not told how many.
	if got := okData[clientJSON](t, w.get(t, w.admin, fmt.Sprintf("/api/v1/clients/%d", star.ID), nil), "the client"); got.Users == nil || *got.Users != 1 {
		t.Fatalf("the client's users: %v", got.Users)
	}
	for _, r := range []resp{w.get(t, w.alice, fmt.Sprintf("/api/v1/clients/%d", star.ID), nil), w.get(t, w.alice, "/api/v1/clients", nil)} {
		if r.status != http.StatusOK || strings.Contains(r.raw, `"users"`) {
			t.Fatalf("an operator's client: %d %s, want no users", r.status, r.raw)
		}
	}
	ofClient := okData[struct{ Items []userResponse }](t, w.get(t, w.admin, "/api/v1/users", url.Values{"client_id": {fmt.Sprint(star.ID)}}), "users of the client")
	if len(ofClient.Items) != 1 || ofClient.Items[0].Username != "cora" {
		t.Fatalf("users of the client: %+v", ofClient.Items)
	}
	w.check(t, "a client id that is no number", req{method: http.MethodGet, path: "/api/v1/users?client_id=x", token: w.admin}, http.StatusBadRequest)
	w.check(t, "bob's account", req{method: http.MethodGet, path: fmt.Sprintf("/api/v1/advertisers/%d", rpAdvB), token: cora}, http.StatusNotFound)
	move(star.ID, rpAdvB)
	sees("B moved into the client", rpAdvA, rpAdvB)
	move(0, rpAdvA)
	sees("A moved out", rpAdvB)

	put := func(body string) resp {
		return w.do(t, req{method: http.MethodPut, path: grants, body: body, token: w.admin})
	}
	if r := put(`{"advertiser_ids":[],"client_ids":[1,999999]}`); r.status != http.StatusUnprocessableEntity || r.fieldErrs()[0].Field != "client_ids[1]" {
		t.Fatalf("an unknown client: %d %s", r.status, r.raw)
	}
	sees("after the refusal", rpAdvB)
	okData[grantsJSON](t, put(fmt.Sprintf(`{"advertiser_ids":[%d]}`, rpAdvA)), "assign A, clients unchanged")
	granted("A assigned", grantsJSON{AdvertiserIDs: []int64{rpAdvA}, ClientIDs: []int64{star.ID}, Advertisers: 2})
	sees("A assigned", rpAdvA, rpAdvB)
	okData[grantsJSON](t, put(`{"advertiser_ids":[],"client_ids":[]}`), "take everything away")
	sees("nothing")
	if r := put(`{"advertiser_ids":[],"client_ids":[0]}`); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("client 0: %d %s", r.status, r.raw)
	}
}
