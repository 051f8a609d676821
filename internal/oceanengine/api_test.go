package oceanengine

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/oceanops/adplatform/internal/sandbox"
)

// TestMethodsAgainstSandbox calls every method against the sandbox, checks
// what came back against the sandbox's world, and compares the requests on
// the wire with golden files. Subtests run in order on one sandbox: writes
// build on earlier state.
func TestMethodsAgainstSandbox(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	adv := b.leaf()
	maj := b.world.Majordomos()[0]
	agent := b.world.Agents()[0]
	camps := b.world.Campaigns(adv)
	ads := b.world.Ads(adv)
	projects := b.world.Projects(adv)
	promos := b.world.Promotions(adv)

	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"oauth_access_token", func(t *testing.T) {
			// Approved by another OceanEngine user: a new grant of the user
			// who approved the setup's grant would supersede it (its tokens,
			// used by the other subtests, would answer 40105/40107).
			code, err := b.sim.AuthorizeAs("second-approver", []int64{b.world.TopLevel()[2]})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := b.client.ExchangeAuthCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			b.secrets.add(code, tok.AccessToken, tok.RefreshToken)
			if len(tok.AccessToken) != 40 || tok.ExpiresIn != 86399 || len(tok.AdvertiserIDs) != 1 || int64(tok.AdvertiserIDs[0]) != b.world.TopLevel()[2] {
				t.Errorf("token = %v, want a 40-char token for %d living 86399s", tok, b.world.TopLevel()[2])
			}
		}},
		{"oauth_refresh_token", func(t *testing.T) {
			g, _ := b.tokens.grant(adv)
			tok, err := b.client.RefreshToken(ctx, g.refresh)
			if err != nil {
				t.Fatal(err)
			}
			b.secrets.add(tok.AccessToken, tok.RefreshToken)
			if tok.RefreshToken == g.refresh || tok.RefreshTokenExpiresIn != 2591999 {
				t.Errorf("refresh did not rotate: %v", tok)
			}
			b.tokens.Put(tok, b.world.Advertisers()...)
		}},
		{"oauth_advertiser_get", func(t *testing.T) {
			g, _ := b.tokens.grant(adv)
			list, err := b.client.AuthorizedAccounts(ctx, g.access)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range list {
				ids = append(ids, int64(a.AdvertiserID))
			}
			if !slices.Equal(ids, b.world.TopLevel()) {
				t.Errorf("authorised accounts = %v, want %v", ids, b.world.TopLevel())
			}
			if list[0].AccountRole != RoleMajordomo {
				t.Errorf("first account role = %q, want %q", list[0].AccountRole, RoleMajordomo)
			}
		}},
		{"user_info", func(t *testing.T) {
			u, err := b.client.UserInfo(ctx, maj)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID == 0 || u.DisplayName == "" {
				t.Errorf("user = %+v, want id and name", u)
			}
		}},
		{"majordomo_select", func(t *testing.T) {
			list, err := b.client.MajordomoAdvertisers(ctx, maj)
			if err != nil {
				t.Fatal(err)
			}
			acct, _ := b.world.Account(maj)
			var ids []int64
			for _, a := range list {
				ids = append(ids, int64(a.AdvertiserID))
			}
			if !slices.Equal(ids, acct.Children) {
				t.Errorf("children = %v, want %v", ids, acct.Children)
			}
		}},
		{"agent_select_pages", func(t *testing.T) {
			acct, _ := b.world.Account(agent)
			var ids []int64
			pages := 0
			for page, err := range b.client.AgentAdvertiserPages(ctx, AgentAdvertisersRequest{AdvertiserID: agent, PageSize: 2}) {
				if err != nil {
					t.Fatal(err)
				}
				pages++
				for _, id := range page {
					ids = append(ids, int64(id))
				}
			}
			if !slices.Equal(ids, acct.Children) || pages != (len(acct.Children)+1)/2 {
				t.Errorf("children = %v in %d pages, want %v in %d", ids, pages, acct.Children, (len(acct.Children)+1)/2)
			}
		}},
		{"advertiser_info", func(t *testing.T) {
			ids := b.world.Advertisers()[:3]
			infos, err := b.client.AdvertiserInfo(ctx, adv, AdvertiserInfoRequest{AdvertiserIDs: ids, Fields: []string{"id", "name", "status", "create_time"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(infos) != 3 {
				t.Fatalf("got %d infos, want 3", len(infos))
			}
			for i, in := range infos {
				acct, _ := b.world.Account(ids[i])
				if int64(in.ID) != ids[i] || in.Name != acct.Name || in.Status != acct.Status || !in.CreateTime.Equal(acct.CreateTime) {
					t.Errorf("info[%d] = %+v, want %d %q %q %v", i, in, ids[i], acct.Name, acct.Status, acct.CreateTime)
				}
			}
		}},
		{"advertiser_fund", func(t *testing.T) {
			f, err := b.client.AdvertiserFund(ctx, adv)
			if err != nil {
				t.Fatal(err)
			}
			acct, _ := b.world.Account(adv)
			if fen, ok := f.Balance.Fen(); !ok || fen != acct.BalanceFen {
				t.Errorf("balance = %s, want %d fen", f.Balance, acct.BalanceFen)
			}
			if fen, _ := f.Cash.Fen(); fen != acct.CashFen {
				t.Errorf("cash = %s, want %d fen", f.Cash, acct.CashFen)
			}
		}},
		{"advertiser_budget", func(t *testing.T) {
			ids := b.world.Advertisers()[:2]
			if err := b.sim.SetAdvertiserBudget(ids[1], true, 9_000_000_50); err != nil {
				t.Fatal(err)
			}
			got, err := b.client.AdvertiserBudgets(ctx, adv, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || int64(got[0].AdvertiserID) != ids[0] || got[0].BudgetMode != BudgetModeInfinite ||
				int64(got[1].AdvertiserID) != ids[1] || got[1].BudgetMode != BudgetModeDay || got[1].Budget.String() != "9000000.50" {
				t.Errorf("budgets = %+v, want %d unlimited and %d 9000000.50 a day", got, ids[0], ids[1])
			}
			// Set through the API: the first gets one, the second none.
			if w, err := b.client.UpdateAdvertiserBudget(ctx, AdvertiserBudgetRequest{AdvertiserID: ids[0], BudgetMode: BudgetModeDay,
				Budget: ptr(FromFen(8_000_000_00))}); err != nil || w.ID != ids[0] || w.RequestID == "" {
				t.Fatalf("update: %+v, %v", w, err)
			}
			if _, err := b.client.UpdateAdvertiserBudget(ctx, AdvertiserBudgetRequest{AdvertiserID: ids[1], BudgetMode: BudgetModeInfinite}); err != nil {
				t.Fatal(err)
			}
			if got, err = b.client.AdvertiserBudgets(ctx, adv, ids); err != nil || got[0].BudgetMode != BudgetModeDay || got[0].Budget.String() != "8000000.00" ||
				got[1].BudgetMode != BudgetModeInfinite {
				t.Errorf("after the updates: %+v, %v", got, err)
			}
		}},
		{"campaign_get", func(t *testing.T) {
			want := []int64{camps[0].ID, camps[1].ID}
			p, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv, Filtering: &CampaignFilter{IDs: want, Status: "CAMPAIGN_STATUS_ALL"}, PageSize: 10})
			if err != nil {
				t.Fatal(err)
			}
			if p.PageInfo.TotalNumber != 2 || len(p.List) != 2 {
				t.Fatalf("got %d campaigns (total %d), want 2", len(p.List), p.PageInfo.TotalNumber)
			}
			for _, c := range p.List {
				e := findEntity(camps, int64(c.ID))
				if fen, _ := c.Budget.Fen(); e == nil || c.Name != e.Name || fen != e.BudgetFen || c.BudgetMode != e.BudgetMode {
					t.Errorf("campaign %+v does not match the world's %+v", c, e)
				}
			}
		}},
		{"campaign_pages", func(t *testing.T) {
			var got []int64
			for page, err := range b.client.CampaignPages(ctx, CampaignsRequest{AdvertiserID: adv, PageSize: 2, Filtering: &CampaignFilter{Status: "CAMPAIGN_STATUS_ALL"}}) {
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 2 {
					t.Fatalf("page of %d, want ≤ 2", len(page))
				}
				for _, c := range page {
					got = append(got, int64(c.ID))
				}
			}
			if len(got) != len(camps) {
				t.Errorf("streamed %d campaigns, want %d", len(got), len(camps))
			}
		}},
		{"ad_get", func(t *testing.T) {
			p, err := b.client.Ads(ctx, AdsRequest{AdvertiserID: adv, Filtering: &AdFilter{CampaignID: camps[0].ID, Status: "AD_STATUS_ALL"}, PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, a := range ads {
				if a.ParentID == camps[0].ID {
					n++
				}
			}
			if len(p.List) != n || n == 0 {
				t.Errorf("got %d ads of campaign %d, want %d", len(p.List), camps[0].ID, n)
			}
			for _, a := range p.List {
				if int64(a.CampaignID) != camps[0].ID || a.ModifyTime.IsZero() {
					t.Errorf("ad %+v: wrong campaign or no modify_time", a)
				}
			}
		}},
		{"creative_get", func(t *testing.T) {
			p, err := b.client.Creatives(ctx, CreativesRequest{AdvertiserID: adv, Filtering: &CreativeFilter{AdID: ads[0].ID, Status: "CREATIVE_STATUS_ALL"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.List) == 0 {
				t.Fatal("no creatives")
			}
			for _, c := range p.List {
				if int64(c.AdID) != ads[0].ID || c.CreativeID == 0 {
					t.Errorf("creative %+v is not of ad %d", c, ads[0].ID)
				}
			}
		}},
		{"campaign_create", func(t *testing.T) {
			req := CampaignCreateRequest{AdvertiserID: adv, CampaignName: "golden campaign", BudgetMode: BudgetModeDay,
				Budget: ptr(MustYuan("1234.56")), LandingType: "LINK", UniqueFK: "golden-1"}
			res, err := b.client.CreateCampaign(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			b.checkRequestID(t, res.RequestID)
			id := res.ID
			again, err := b.client.CreateCampaign(ctx, req)
			if err != nil || again.ID != id {
				t.Fatalf("repeated create with unique_fk = %+v, %v; want %d", again, err, id)
			}
			b.checkRequestID(t, again.RequestID)
			if again.RequestID == res.RequestID {
				t.Errorf("both creates answered request_id %q, want one per answer", res.RequestID)
			}
			e := findEntity(b.sim.World().Campaigns(adv), id)
			if e == nil || e.BudgetFen != 123456 {
				t.Errorf("created campaign = %+v, want budget 123456 fen", e)
			}
		}},
		{"campaign_update", func(t *testing.T) {
			p, err := b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv, Filtering: &CampaignFilter{IDs: []int64{camps[0].ID}}})
			if err != nil || len(p.List) != 1 {
				t.Fatalf("read campaign: %v", err)
			}
			res, err := b.client.UpdateCampaign(ctx, CampaignUpdateRequest{AdvertiserID: adv, CampaignID: camps[0].ID,
				ModifyTime: p.List[0].CampaignModifyTime, CampaignName: "renamed", BudgetMode: BudgetModeDay, Budget: ptr(MustYuan("100000.50"))})
			if err != nil || res.ID != camps[0].ID {
				t.Fatalf("UpdateCampaign = %+v, %v", res, err)
			}
			b.checkRequestID(t, res.RequestID)
			e := findEntity(b.sim.World().Campaigns(adv), res.ID)
			if e.BudgetFen != 10000050 || e.Name != "renamed" {
				t.Errorf("after update: %+v, want renamed with 10000050 fen", e)
			}
		}},
		{"campaign_update_status", func(t *testing.T) {
			res, err := b.client.UpdateCampaignStatus(ctx, CampaignStatusRequest{AdvertiserID: adv, CampaignIDs: []int64{camps[1].ID}, OptStatus: OptDisable})
			if err != nil || !slices.Equal(res.Succeeded, []int64{camps[1].ID}) {
				t.Fatalf("UpdateCampaignStatus = %+v, %v", res, err)
			}
			b.checkRequestID(t, res.RequestID)
			if e := findEntity(b.sim.World().Campaigns(adv), camps[1].ID); e.OptStatus != "DISABLE" {
				t.Errorf("campaign opt status = %q, want DISABLE", e.OptStatus)
			}
		}},
		{"ad_update_status_partial", func(t *testing.T) {
			const bogus = 1234567890123456
			res, err := b.client.UpdateAdStatus(ctx, AdStatusRequest{AdvertiserID: adv, AdIDs: []int64{ads[2].ID, bogus}, OptStatus: OptDisable})
			var be *BatchError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want *BatchError", err)
			}
			if !slices.Equal(res.Succeeded, []int64{ads[2].ID}) || len(be.Failed) != 1 || be.Failed[0].ID != bogus || be.Failed[0].Message == "" {
				t.Errorf("result %+v / failed %+v, want %d applied and %d rejected", res, be.Failed, ads[2].ID, bogus)
			}
			b.checkRequestID(t, res.RequestID)
			b.checkRequestID(t, be.RequestID)
		}},
		{"ad_update_budget", func(t *testing.T) {
			res, err := b.client.UpdateAdBudget(ctx, AdBudgetRequest{AdvertiserID: adv, Data: []AdBudget{{AdID: ads[3].ID, Budget: MustYuan("88888.88")}}})
			b.checkOneApplied(t, "UpdateAdBudget", res, err)
			checkFen(t, "budget", findEntity(b.sim.World().Ads(adv), ads[3].ID).BudgetFen, 8888888)
		}},
		{"ad_update_bid", func(t *testing.T) {
			res, err := b.client.UpdateAdBid(ctx, AdBidRequest{AdvertiserID: adv, Data: []AdBid{{AdID: ads[3].ID, Bid: MustYuan("1.23")}}})
			b.checkOneApplied(t, "UpdateAdBid", res, err)
			checkFen(t, "bid", findEntity(b.sim.World().Ads(adv), ads[3].ID).BidFen, 123)
		}},
		{"project_list", func(t *testing.T) {
			p, err := b.client.Projects(ctx, ProjectsRequest{AdvertiserID: adv, Filtering: &ProjectFilter{Status: "PROJECT_STATUS_ALL"}, PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.List) != len(projects) {
				t.Fatalf("got %d projects, want %d", len(p.List), len(projects))
			}
			for _, pr := range p.List {
				e := findEntity(projects, int64(pr.ProjectID))
				if fen, _ := pr.DeliverySetting.Budget.Fen(); e == nil || fen != e.BudgetFen {
					t.Errorf("project %+v does not match %+v", pr, e)
				}
			}
		}},
		{"promotion_list_pages", func(t *testing.T) {
			n := 0
			for page, err := range b.client.PromotionPages(ctx, PromotionsRequest{AdvertiserID: adv, PageSize: 10, Filtering: &PromotionFilter{Status: "ALL"}}) {
				if err != nil {
					t.Fatal(err)
				}
				for _, pr := range page {
					if findEntity(promos, int64(pr.PromotionID)) == nil {
						t.Errorf("unknown promotion %d", pr.PromotionID)
					}
				}
				n += len(page)
			}
			if n != len(promos) {
				t.Errorf("streamed %d promotions, want %d", n, len(promos))
			}
		}},
		{"project_create", func(t *testing.T) {
			res, err := b.client.CreateProject(ctx, ProjectCreateRequest{AdvertiserID: adv, Name: "golden project", LandingType: "APP",
				DeliverySetting: ProjectDeliverySetting{BudgetMode: BudgetModeDay, Budget: ptr(MustYuan("500.10")), CpaBid: ptr(MustYuan("20.05"))}, UniqueFK: "golden-p1"})
			if err != nil {
				t.Fatal(err)
			}
			b.checkRequestID(t, res.RequestID)
			e := findEntity(b.sim.World().Projects(adv), res.ID)
			if e == nil || e.BudgetFen != 50010 || e.BidFen != 2005 {
				t.Errorf("created project = %+v, want 50010 / 2005 fen", e)
			}
		}},
		{"project_status_update", func(t *testing.T) {
			res, err := b.client.UpdateProjectStatus(ctx, ProjectStatusRequest{AdvertiserID: adv, Data: []ProjectStatus{{ProjectID: projects[0].ID, OptStatus: V3Disable}}})
			if err != nil || !slices.Equal(res.Succeeded, []int64{projects[0].ID}) {
				t.Fatalf("UpdateProjectStatus = %+v, %v", res, err)
			}
			b.checkRequestID(t, res.RequestID)
		}},
		{"project_budget_update", func(t *testing.T) {
			res, err := b.client.UpdateProjectBudget(ctx, ProjectBudgetRequest{AdvertiserID: adv, Data: []ProjectBudget{{ProjectID: projects[1].ID, BudgetMode: BudgetModeDay, Budget: MustYuan("100000.00")}}})
			b.checkOneApplied(t, "UpdateProjectBudget", res, err)
			checkFen(t, "budget", findEntity(b.sim.World().Projects(adv), projects[1].ID).BudgetFen, 10000000)
		}},
		{"project_cpa_bid_update", func(t *testing.T) {
			res, err := b.client.UpdateProjectBid(ctx, ProjectBidRequest{AdvertiserID: adv, Data: []ProjectBid{{ProjectID: projects[1].ID, CpaBid: MustYuan("12.34")}}})
			b.checkOneApplied(t, "UpdateProjectBid", res, err)
			checkFen(t, "cpa_bid", findEntity(b.sim.World().Projects(adv), projects[1].ID).BidFen, 1234)
		}},
		{"project_delete_partial", func(t *testing.T) {
			const bogus = 1111111111111111
			res, err := b.client.DeleteProjects(ctx, ProjectDeleteRequest{AdvertiserID: adv, ProjectIDs: []int64{projects[2].ID, bogus}})
			var be *BatchError
			if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].ID != bogus || be.Failed[0].Code != CodeParam {
				t.Fatalf("err = %v, want one rejected item %d with code %d", err, int64(bogus), CodeParam)
			}
			if !slices.Equal(res.Succeeded, []int64{projects[2].ID}) {
				t.Errorf("deleted %v, want %d", res.Succeeded, projects[2].ID)
			}
			b.checkRequestID(t, res.RequestID)
			b.checkRequestID(t, be.RequestID)
		}},
		{"promotion_status_update_partial", func(t *testing.T) {
			const bogus = 2222222222222222
			res, err := b.client.UpdatePromotionStatus(ctx, PromotionStatusRequest{AdvertiserID: adv, Data: []PromotionStatus{
				{PromotionID: promos[0].ID, OptStatus: V3Disable}, {PromotionID: bogus, OptStatus: V3Disable}}})
			var be *BatchError
			if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].ID != bogus {
				t.Fatalf("err = %v, want one rejected item (error_list)", err)
			}
			if !slices.Equal(res.Succeeded, []int64{promos[0].ID}) {
				t.Errorf("switched %v, want %d", res.Succeeded, promos[0].ID)
			}
			b.checkRequestID(t, res.RequestID)
			b.checkRequestID(t, be.RequestID)
		}},
		{"promotion_budget_update", func(t *testing.T) {
			res, err := b.client.UpdatePromotionBudget(ctx, PromotionBudgetRequest{AdvertiserID: adv, Data: []PromotionBudget{{PromotionID: promos[1].ID, Budget: MustYuan("50000.00")}}})
			b.checkOneApplied(t, "UpdatePromotionBudget", res, err)
		}},
		{"promotion_bid_update", func(t *testing.T) {
			res, err := b.client.UpdatePromotionBid(ctx, PromotionBidRequest{AdvertiserID: adv, Data: []PromotionBid{{PromotionID: promos[1].ID, Bid: MustYuan("3.21")}}})
			b.checkOneApplied(t, "UpdatePromotionBid", res, err)
			if e := findEntity(b.sim.World().Promotions(adv), promos[1].ID); e.BidFen != 321 || e.BudgetFen != 5000000 {
				t.Errorf("promotion = %+v, want bid 321 and budget 5000000 fen", e)
			}
		}},
		{"promotion_delete", func(t *testing.T) {
			res, err := b.client.DeletePromotions(ctx, PromotionDeleteRequest{AdvertiserID: adv, PromotionIDs: []int64{promos[2].ID}})
			if err != nil || !slices.Equal(res.Succeeded, []int64{promos[2].ID}) {
				t.Fatalf("DeletePromotions = %+v, %v", res, err)
			}
			b.checkRequestID(t, res.RequestID)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b.rec.reset()
			c.run(t)
			b.golden(t, c.name)
		})
	}
}

// TestReportsAgainstSandbox reads every report level, daily and hourly, and
// checks the exact totals against the sandbox's ground truth.
func TestReportsAgainstSandbox(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	adv := b.leaf()
	const start, end = "2025-06-10", "2025-06-17"
	levels := []struct {
		level ReportLevel
		truth string
		ids   func(ReportRow) int64
	}{
		{ReportAdvertiser, "advertiser", func(r ReportRow) int64 { return int64(r.AdvertiserID) }},
		{ReportCampaign, "campaign", func(r ReportRow) int64 { return int64(r.CampaignID) }},
		{ReportAd, "ad", func(r ReportRow) int64 { return int64(r.AdID) }},
		{ReportCreative, "creative", func(r ReportRow) int64 { return int64(r.CreativeID) }},
	}
	for _, lv := range levels {
		for _, gran := range []string{GranularityDaily, GranularityHourly} {
			t.Run(string(lv.level)+"_"+gran, func(t *testing.T) {
				b.rec.reset()
				s, e := start, end
				truthGran := "day"
				if gran == GranularityHourly {
					s, e, truthGran = "2025-06-17", "2025-06-17", "hour"
				}
				req := ReportRequest{AdvertiserID: adv, StartDate: s, EndDate: e, TimeGranularity: gran, PageSize: 50}
				if lv.level != ReportAdvertiser {
					req.GroupBy = []string{GroupByStatTime, GroupByID}
				}
				var rows []ReportRow
				pages := 0
				for page, err := range b.client.ReportPages(ctx, lv.level, req) {
					if err != nil {
						t.Fatal(err)
					}
					pages++
					rows = append(rows, page...)
				}
				truth, err := b.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: lv.truth, StartDate: s, EndDate: e, Granularity: truthGran})
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != len(truth.Rows) {
					t.Fatalf("%d rows, want %d", len(rows), len(truth.Rows))
				}
				var costFen, show, click int64
				for i, r := range rows {
					fen, ok := r.Cost.Fen()
					if !ok {
						t.Fatalf("row %d cost %s is not whole fen", i, r.Cost)
					}
					costFen += fen
					show += int64(r.Show)
					click += int64(r.Click)
					if tr := truth.Rows[i]; r.StatDatetime.Text() != tr.Time || lv.ids(r) != tr.ID || fen != tr.CostFen {
						t.Errorf("row %d = %s id %d cost %d, want %s id %d cost %d", i, r.StatDatetime.Text(), lv.ids(r), fen, tr.Time, tr.ID, tr.CostFen)
					}
				}
				if costFen != truth.Total.CostFen || show != truth.Total.Show || click != truth.Total.Click {
					t.Errorf("totals cost %d show %d click %d, want %d %d %d", costFen, show, click, truth.Total.CostFen, truth.Total.Show, truth.Total.Click)
				}
				if pages < 1 {
					t.Error("no pages")
				}
				if lv.level == ReportCreative && gran == GranularityDaily {
					b.golden(t, "report_creative_daily_pages")
				}
				if lv.level == ReportAd && gran == GranularityHourly {
					b.golden(t, "report_ad_hourly_pages")
				}
			})
		}
	}
	for _, dim := range []string{"stat_time_day", "stat_time_hour"} {
		t.Run("custom_"+dim, func(t *testing.T) {
			b.rec.reset()
			s, e, gran := start, end, "day"
			if dim == "stat_time_hour" {
				s, e, gran = "2025-06-17", "2025-06-17", "hour"
			}
			p, err := b.client.CustomReport(ctx, CustomReportRequest{AdvertiserID: adv, DataTopic: "BASIC_DATA",
				Dimensions: []string{dim, "cdp_project_id"}, Metrics: []string{"stat_cost", "show_cnt", "click_cnt", "convert_cnt"},
				OrderBy: []CustomOrder{{Field: dim, Type: "ASC"}}, StartTime: s, EndTime: e, Page: 1, PageSize: 1000})
			if err != nil {
				t.Fatal(err)
			}
			truth, err := b.sim.Truth(sandbox.TruthQuery{AdvertiserID: adv, Level: "project", StartDate: s, EndDate: e, Granularity: gran})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Rows) != len(truth.Rows) {
				t.Fatalf("%d rows, want %d", len(p.Rows), len(truth.Rows))
			}
			var sum int64
			for _, r := range p.Rows {
				m, err := r.Metrics.Money("stat_cost")
				if err != nil {
					t.Fatal(err)
				}
				fen, _ := m.Fen()
				sum += fen
			}
			total, _ := p.TotalMetrics.Money("stat_cost")
			tfen, _ := total.Fen()
			if sum != truth.Total.CostFen || tfen != truth.Total.CostFen {
				t.Errorf("cost rows %d / total %d fen, want %d", sum, tfen, truth.Total.CostFen)
			}
			b.golden(t, "report_custom_"+dim)
		})
	}
}

// checkRequestID fails unless a write returned the request_id of the
// platform's last answer.
func (b *bundle) checkRequestID(t *testing.T, got string) {
	t.Helper()
	if want := b.rec.lastRequestID(); got == "" || got != want {
		t.Errorf("request_id = %q, want the answer's %q", got, want)
	}
}

// checkOneApplied requires a batch write that applied one item, without
// error, and answered with the request id.
func (b *bundle) checkOneApplied(t *testing.T, call string, res *BatchResult, err error) {
	t.Helper()
	if err != nil || len(res.Succeeded) != 1 {
		t.Fatalf("%s = %+v, %v", call, res, err)
	}
	b.checkRequestID(t, res.RequestID)
}

// checkFen requires a money field of a sandbox entity, in fen.
func checkFen(t *testing.T, field string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d fen, want %d", field, got, want)
	}
}

func findEntity(es []sandbox.Entity, id int64) *sandbox.Entity {
	for i := range es {
		if es[i].ID == id {
			return &es[i]
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
