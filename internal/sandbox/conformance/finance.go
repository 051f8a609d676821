package conformance

// Account finance endpoints.

type advertiserBudgetGetParams struct {
	AdvertiserIds *[]int64 `json:"advertiser_ids,omitempty" sdk:"required"`
}

type advertiserUpdateBudgetRequest struct {
	AdvertiserId int64    `json:"advertiser_id"`
	Budget       *float64 `json:"budget,omitempty"`
	BudgetMode   string   `json:"budget_mode"`
}

type fundDailyStatParams struct {
	AdvertiserId *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	StartDate    *string `json:"start_date,omitempty"`
	EndDate      *string `json:"end_date,omitempty"`
	Page         *int64  `json:"page,omitempty"`
	PageSize     *int64  `json:"page_size,omitempty"`
}

type fundTransactionParams struct {
	AdvertiserId    *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	StartDate       *string `json:"start_date,omitempty" sdk:"required"`
	EndDate         *string `json:"end_date,omitempty" sdk:"required"`
	TransactionType *string `json:"transaction_type,omitempty" sdk:"required"`
	Page            *int32  `json:"page,omitempty"`
	PageSize        *int32  `json:"page_size,omitempty"`
}

type customerCenterFiltering struct {
	AccountName *string `json:"account_name,omitempty"`
}

type customerCenterListParams struct {
	AccountSource *string `json:"account_source,omitempty"`
	CcAccountId   *int64  `json:"cc_account_id,omitempty"`
	filteredPage[customerCenterFiltering]
}

var advertiserBudgetModes = Enum("BUDGET_MODE_DAY", "BUDGET_MODE_INFINITE")

func financeCases() []Case {
	return []Case{
		getCase("2/advertiser/budget/get", "AdvertiserBudgetGetV2ResponseDataListInner", func(f *Fixture) *advertiserBudgetGetParams {
			return &advertiserBudgetGetParams{AdvertiserIds: &[]int64{f.Advertiser}}
		}, Obj{"list": Arr{MinLen: 1, Elem: Obj{"advertiser_id": Int, "budget": Num, "budget_mode": advertiserBudgetModes}}}),
		postCase("2/advertiser/update/budget", "AdvertiserUpdateBudgetV2Request", func(f *Fixture) *advertiserUpdateBudgetRequest {
			return &advertiserUpdateBudgetRequest{AdvertiserId: f.Advertiser, Budget: ptr(50000.0), BudgetMode: "BUDGET_MODE_DAY"}
		}, Obj{}),
		getCase("2/advertiser/fund/daily_stat", "AdvertiserFundDailyStatV2ResponseData", func(f *Fixture) *fundDailyStatParams {
			return &fundDailyStatParams{AdvertiserId: ptr(f.Advertiser), StartDate: ptr("2025-06-10"), EndDate: ptr("2025-06-18"),
				Page: ptr(int64(1)), PageSize: ptr(int64(20))}
		}, Obj{"list": Arr{MinLen: 9, Elem: Obj{"advertiser_id": Int, "date": Str, "balance": Num, "cost": Num, "cash_cost": Num,
			"reward_cost": Num, "income": Num, "transfer_in": Num, "transfer_out": Num, "frozen": Num,
			"shared_wallet_cost": Num, "company_wallet_cost": Num}}, "page_info": pageInfo}),
		getCase("2/advertiser/fund/transaction/get", "AdvertiserFundTransactionGetV2ResponseDataListInner", func(f *Fixture) *fundTransactionParams {
			a, _ := f.World.Account(f.Advertiser)
			opened := a.CreateTime.Format("2006-01-02") // the opening recharge's day
			return &fundTransactionParams{AdvertiserId: ptr(f.Advertiser), StartDate: ptr(opened), EndDate: ptr(opened),
				TransactionType: ptr("RECHARGE"), Page: ptr(int32(1)), PageSize: ptr(int32(10))}
		}, list(Obj{"advertiser_id": Int, "amount": Num, "cash": Num, "grant": Num, "create_time": Str,
			"dealbase": Num, "frozen": Num, "payee": Int, "remitter": Int, "return_goods": Num, "transaction_seq": Int,
			"transaction_type": Enum("RECHARGE", "TRANSFER")})),
		getCase("2/customer_center/advertiser/list", "CustomerCenterAdvertiserListV2ResponseDataListInner", func(f *Fixture) *customerCenterListParams {
			return &customerCenterListParams{AccountSource: ptr("AD"), CcAccountId: ptr(f.Majordomo), filteredPage: pageOf[customerCenterFiltering](nil, 1, 10)}
		}, list(Obj{"advertiser_id": Int, "advertiser_name": Str, "advertiser_type": Str,
			"e_douyin_id": Opt(Str), "e_douyin_name": Opt(Str)})),
	}
}
