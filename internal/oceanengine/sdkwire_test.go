package oceanengine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oceanops/adplatform/internal/sandbox/conformance"
)

// TestClientEncodingMatchesSDK calls every endpoint the client knows and
// checks each request on the wire against the official SDK's encoding: the
// parameters decode strictly into the SDK's request model of the endpoint
// (no parameter the SDK does not send, no wrong type) and the SDK, encoding
// them again, sends the same method, path, parameters and values, token
// and content type.
func TestClientEncodingMatchesSDK(t *testing.T) {
	b := setup(t, nil)
	ctx := context.Background()
	adv := b.leaf()
	ad := b.world.Ads(adv)[0]
	camp := b.world.Campaigns(adv)[0]
	proj := b.world.Projects(adv)[0]
	promo := b.world.Promotions(adv)[0]
	g, err := b.tokens.grant(adv)
	if err != nil {
		t.Fatal(err)
	}
	code, err := b.sim.AuthorizeAs("sdk-wire", []int64{b.world.TopLevel()[1]})
	if err != nil {
		t.Fatal(err)
	}
	yuan := MustYuan("500.00")
	calls := []func() error{
		func() error { return errOf(b.client.ExchangeAuthCode(ctx, code)) },
		func() error { return errOf(b.client.AuthorizedAccounts(ctx, g.access)) },
		func() error {
			tok, err := b.client.RefreshToken(ctx, g.refresh)
			if err == nil {
				b.tokens.Put(tok, b.world.Advertisers()...)
			}
			return err
		},
		func() error { return errOf(b.client.UserInfo(ctx, adv)) },
		func() error { return errOf(b.client.MajordomoAdvertisers(ctx, b.world.Majordomos()[0])) },
		func() error {
			return errOf(b.client.AgentAdvertisers(ctx, AgentAdvertisersRequest{AdvertiserID: b.world.Agents()[0], Page: 1, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.AdvertiserInfo(ctx, adv, AdvertiserInfoRequest{AdvertiserIDs: []int64{adv}, Fields: []string{"id", "name"}}))
		},
		func() error { return errOf(b.client.AdvertiserFund(ctx, adv)) },
		func() error { return errOf(b.client.AdvertiserBudgets(ctx, adv, []int64{adv})) },
		func() error {
			return errOf(b.client.UpdateAdvertiserBudget(ctx, AdvertiserBudgetRequest{AdvertiserID: adv, BudgetMode: BudgetModeDay, Budget: ptr(MustYuan("5000000.00"))}))
		},
		func() error {
			return errOf(b.client.Campaigns(ctx, CampaignsRequest{AdvertiserID: adv, Filtering: &CampaignFilter{Status: "CAMPAIGN_STATUS_ALL", IDs: []int64{camp.ID}}, Fields: []string{"id"}, Page: 1, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.Ads(ctx, AdsRequest{AdvertiserID: adv, Filtering: &AdFilter{Status: "AD_STATUS_ALL", CampaignID: camp.ID}, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.Creatives(ctx, CreativesRequest{AdvertiserID: adv, Filtering: &CreativeFilter{AdID: ad.ID}, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.Projects(ctx, ProjectsRequest{AdvertiserID: adv, Filtering: &ProjectFilter{Status: "PROJECT_STATUS_ALL",
				ProjectModifyStartTime: "2025-06-01 00:00:00", ProjectModifyEndTime: "2025-06-18 23:59:59"}, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.Promotions(ctx, PromotionsRequest{AdvertiserID: adv, Filtering: &PromotionFilter{Status: "ALL", ProjectID: proj.ID}, PageSize: 10}))
		},
		func() error {
			return errOf(b.client.CreateCampaign(ctx, CampaignCreateRequest{AdvertiserID: adv, CampaignName: "wire", BudgetMode: BudgetModeDay, Budget: &yuan, LandingType: "LINK", UniqueFK: "w1"}))
		},
		func() error {
			return errOf(b.client.UpdateCampaign(ctx, CampaignUpdateRequest{AdvertiserID: adv, CampaignID: camp.ID, ModifyTime: Time{camp.ModifyTime}, CampaignName: "wire 2"}))
		},
		func() error {
			return errOf(b.client.UpdateCampaignStatus(ctx, CampaignStatusRequest{AdvertiserID: adv, CampaignIDs: []int64{camp.ID}, OptStatus: OptEnable}))
		},
		func() error {
			return errOf(b.client.UpdateAdStatus(ctx, AdStatusRequest{AdvertiserID: adv, AdIDs: []int64{ad.ID}, OptStatus: OptEnable}))
		},
		func() error {
			return errOf(b.client.UpdateAdBudget(ctx, AdBudgetRequest{AdvertiserID: adv, Data: []AdBudget{{AdID: ad.ID, Budget: MustYuan("8888")}}}))
		},
		func() error {
			return errOf(b.client.UpdateAdBid(ctx, AdBidRequest{AdvertiserID: adv, Data: []AdBid{{AdID: ad.ID, Bid: MustYuan("1.5")}}}))
		},
		func() error {
			return errOf(b.client.CreateProject(ctx, ProjectCreateRequest{AdvertiserID: adv, Name: "wire", LandingType: "APP",
				DeliverySetting: ProjectDeliverySetting{BudgetMode: BudgetModeDay, Budget: &yuan, CpaBid: ptr(MustYuan("20"))}}))
		},
		func() error {
			return errOf(b.client.UpdateProjectStatus(ctx, ProjectStatusRequest{AdvertiserID: adv, Data: []ProjectStatus{{ProjectID: proj.ID, OptStatus: V3Enable}}}))
		},
		func() error {
			return errOf(b.client.UpdateProjectBudget(ctx, ProjectBudgetRequest{AdvertiserID: adv, Data: []ProjectBudget{{ProjectID: proj.ID, Budget: MustYuan("7777")}}}))
		},
		func() error {
			return errOf(b.client.UpdateProjectBid(ctx, ProjectBidRequest{AdvertiserID: adv, Data: []ProjectBid{{ProjectID: proj.ID, CpaBid: MustYuan("33")}}}))
		},
		func() error {
			return errOf(b.client.DeleteProjects(ctx, ProjectDeleteRequest{AdvertiserID: adv, ProjectIDs: []int64{1}}))
		},
		func() error {
			return errOf(b.client.UpdatePromotionStatus(ctx, PromotionStatusRequest{AdvertiserID: adv, Data: []PromotionStatus{{PromotionID: promo.ID, OptStatus: V3Enable}}}))
		},
		func() error {
			return errOf(b.client.UpdatePromotionBudget(ctx, PromotionBudgetRequest{AdvertiserID: adv, Data: []PromotionBudget{{PromotionID: promo.ID, Budget: MustYuan("6666")}}}))
		},
		func() error {
			return errOf(b.client.UpdatePromotionBid(ctx, PromotionBidRequest{AdvertiserID: adv, Data: []PromotionBid{{PromotionID: promo.ID, Bid: MustYuan("12")}}}))
		},
		func() error {
			return errOf(b.client.DeletePromotions(ctx, PromotionDeleteRequest{AdvertiserID: adv, PromotionIDs: []int64{1}}))
		},
		func() error {
			for _, lv := range []ReportLevel{ReportAdvertiser, ReportCampaign, ReportAd, ReportCreative} {
				req := ReportRequest{AdvertiserID: adv, StartDate: "2025-06-16", EndDate: "2025-06-17", TimeGranularity: GranularityDaily,
					GroupBy: []string{GroupByStatTime}, Fields: []string{"cost", "show"}, OrderField: "cost", OrderType: "DESC", Page: 1, PageSize: 10}
				if lv != ReportAdvertiser {
					req.GroupBy = append(req.GroupBy, GroupByID)
					req.Filtering = &ReportFilter{CampaignIDs: []int64{camp.ID}}
				}
				if _, err := b.client.Report(ctx, lv, req); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			return errOf(b.client.CustomReport(ctx, CustomReportRequest{AdvertiserID: adv, DataTopic: "BASIC_DATA", Dimensions: []string{"stat_time_day", "cdp_project_id"},
				Metrics: []string{"stat_cost"}, StartTime: "2025-06-16", EndTime: "2025-06-17", Page: 1, PageSize: 10}))
		},
		func() error { return errOf(b.client.AdRejectReasons(ctx, adv, []int64{ad.ID})) },
		func() error { return errOf(b.client.PromotionRejectReasons(ctx, adv, []int64{promo.ID})) },
	}
	for i, call := range calls {
		if err := call(); err != nil && !isBatchRefusal(err) {
			t.Fatalf("call %d: %v", i, err)
		}
	}

	seen := map[string]bool{}
	for _, req := range b.rec.raw {
		key := strings.Trim(strings.TrimPrefix(req.URL.Path, "/open_api/"), "/")
		seen[key] = true
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		withBody := func() *http.Request {
			r := req.Clone(req.Context())
			r.Body = io.NopCloser(bytes.NewReader(body))
			return r
		}
		sdk, err := conformance.Reencode(withBody())
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		ours, err := conformance.ReadWire(withBody())
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := conformance.ReadWire(sdk)
		if err != nil {
			t.Fatal(err)
		}
		if err := conformance.SameWire(ours, theirs); err != nil {
			t.Errorf("%s %s differs from the SDK's encoding: %v", req.Method, key, err)
		}
	}
	for key := range Endpoints() {
		if !seen[key] {
			t.Errorf("%s was not called", key)
		}
	}
	if len(b.rec.raw) == 0 || b.rec.raw[0].Method != http.MethodPost {
		t.Fatal("nothing recorded")
	}
}

// isBatchRefusal reports a batch write refused item by item (deleting an
// unknown id): the request was still sent and answered.
// errOf is the error of a call whose result a test does not read.
func errOf[T any](_ T, err error) error { return err }

func isBatchRefusal(err error) bool {
	_, ok := err.(*BatchError)
	return ok
}
