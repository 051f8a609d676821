package conformance

// Audience endpoints: audience packages and custom (DMP) audiences.

type audiencePackageGetFiltering struct {
	AdType        *string `json:"ad_type,omitempty"`
	DeliveryRange *string `json:"delivery_range,omitempty"`
	LandingType   *string `json:"landing_type,omitempty"`
	MarketingGoal *string `json:"marketing_goal,omitempty"`
}

type audiencePackageGetParams struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty"`
	filteredPage[audiencePackageGetFiltering]
}

// targeting is the part of AudiencePackageCreateV2Request's targeting the
// cases send.
type targeting struct {
	Age                []string `json:"age,omitempty"`
	City               []int64  `json:"city,omitempty"`
	District           *string  `json:"district,omitempty"`
	Gender             *string  `json:"gender,omitempty"`
	InterestActionMode *string  `json:"interest_action_mode,omitempty"`
	InterestCategories []int64  `json:"interest_categories,omitempty"`
	Platform           []string `json:"platform,omitempty"`
	RetargetingTags    []int64  `json:"retargeting_tags,omitempty"`
}

type audiencePackageCreateRequest struct {
	AdType        *string `json:"ad_type,omitempty"`
	AdvertiserId  int64   `json:"advertiser_id"`
	DeliveryRange *string `json:"delivery_range,omitempty"`
	Description   string  `json:"description"`
	LandingType   string  `json:"landing_type"`
	MarketingGoal *string `json:"marketing_goal,omitempty"`
	Name          string  `json:"name"`
	targeting
}

type audiencePackageUpdateRequest struct {
	AdvertiserId      int64   `json:"advertiser_id"`
	AudiencePackageId int64   `json:"audience_package_id"`
	Description       *string `json:"description,omitempty"`
	Name              *string `json:"name,omitempty"`
	targeting
}

type audiencePackageDeleteRequest struct {
	AdvertiserId      int64 `json:"advertiser_id"`
	AudiencePackageId int64 `json:"audience_package_id"`
}

type customAudienceSelectParams struct {
	AdvertiserId *int64 `json:"advertiser_id,omitempty"`
	Limit        *int64 `json:"limit,omitempty"`
	Offset       *int64 `json:"offset,omitempty"`
	SelectType   *int64 `json:"select_type,omitempty"`
}

type customAudienceReadParams struct {
	AdvertiserId      *int64   `json:"advertiser_id,omitempty"`
	CustomAudienceIds *[]int64 `json:"custom_audience_ids,omitempty"`
}

type customAudiencePublishRequest struct {
	AdvertiserId     int64 `json:"advertiser_id"`
	CustomAudienceId int64 `json:"custom_audience_id"`
}

type customAudiencePushRequest struct {
	AdvertiserId        int64   `json:"advertiser_id"`
	CustomAudienceId    int64   `json:"custom_audience_id"`
	TargetAdvertiserIds []int64 `json:"target_advertiser_ids"`
}

type dataSourceFileUploadRequest struct {
	AdvertiserId  *int64  `json:"advertiser_id,omitempty" sdk:"required"`
	File          *File   `json:"file,omitempty" sdk:"required"`
	FileSignature *string `json:"file_signature,omitempty"`
}

type dataSourceCreateRequest struct {
	AdvertiserId    int64    `json:"advertiser_id"`
	DataFormat      int64    `json:"data_format"`
	DataSourceName  string   `json:"data_source_name"`
	DataSourceType  *string  `json:"data_source_type,omitempty"`
	Description     *string  `json:"description,omitempty"`
	FilePaths       []string `json:"file_paths"`
	FileStorageType int64    `json:"file_storage_type"`
}

var customAudience = Obj{"custom_audience_id": Int, "name": Str, "source": Str, "status": Int, "delivery_status": Enum(
	"CUSTOM_AUDIENCE_DELIVERY_STATUS_NEED_PUBLISH", "CUSTOM_AUDIENCE_DELIVERY_STATUS_NEED_PUSH", "CUSTOM_AUDIENCE_DELIVERY_STATUS_UNAVAILABLE",
	"CUSTOM_AUDIENCE_DELIVERY_STATUS_AVAILABLE"), "cover_num": Int, "upload_num": Int, "data_source_id": Str, "tag": Str, "isdel": Int}

// audienceID is the fixture advertiser's first custom audience.
func audienceID(f *Fixture) int64 {
	return f.firstID("2/dmp/custom_audience/select", &customAudienceSelectParams{AdvertiserId: ptr(f.Advertiser)},
		"custom_audience_list", "custom_audience_id")
}

// packageID is the fixture advertiser's first audience package.
func packageID(f *Fixture) int64 {
	return f.firstID("2/audience_package/get", &audiencePackageGetParams{AdvertiserId: ptr(f.Advertiser)},
		"audience_packages", "audience_package_id")
}

// sampleZip starts like a zip file.
var sampleZip = append([]byte("PK\x03\x04"), make([]byte, 3200)...)

func audienceCases() []Case {
	return []Case{
		getCase("2/audience_package/get", "bububa audiencepackage.GetRequest / GetResponseData", func(f *Fixture) *audiencePackageGetParams {
			return &audiencePackageGetParams{AdvertiserId: ptr(f.Advertiser), filteredPage: pageOf[audiencePackageGetFiltering](nil, 1, 10)}
		}, Obj{"audience_packages": Arr{MinLen: 1, Elem: Obj{"audience_package_id": Int, "advertiser_id": Int, "name": Str, "description": Str,
			"landing_type": Str, "ad_type": Str, "marketing_goal": Str, "delivery_range": Str, "audience": Map{Elem: Any}}}, "page_info": pageInfo}),
		postCase("2/audience_package/create", "AudiencePackageCreateV2Request / AudiencePackageCreateV2ResponseData", func(f *Fixture) *audiencePackageCreateRequest {
			return &audiencePackageCreateRequest{AdvertiserId: f.Advertiser, Name: "SDK 定向包", Description: "女性 24-30 岁", LandingType: "LINK",
				targeting: targeting{Gender: ptr("GENDER_FEMALE"), Age: []string{"AGE_BETWEEN_24_30"}, District: ptr("CITY"), City: []int64{4403},
					RetargetingTags: []int64{audienceID(f)}}}
		}, Obj{"audience_package_id": Int}),
		postCase("2/audience_package/update", "AudiencePackageUpdateV2Request / AudiencePackageUpdateV2ResponseData", func(f *Fixture) *audiencePackageUpdateRequest {
			return &audiencePackageUpdateRequest{AdvertiserId: f.Advertiser, AudiencePackageId: packageID(f), Name: ptr("SDK 改名定向包"),
				targeting: targeting{Platform: []string{"ANDROID"}}}
		}, Obj{"audience_package_id": Int}),
		postCase("2/audience_package/delete", "AudiencePackageDeleteV2Request / AudiencePackageDeleteV2ResponseData", func(f *Fixture) *audiencePackageDeleteRequest {
			return &audiencePackageDeleteRequest{AdvertiserId: f.Advertiser, AudiencePackageId: packageID(f)}
		}, Obj{"audience_package_id": Int}),
		getCase("2/dmp/custom_audience/select", "DmpCustomAudienceSelectV2ResponseData", func(f *Fixture) *customAudienceSelectParams {
			return &customAudienceSelectParams{AdvertiserId: ptr(f.Advertiser), SelectType: ptr(int64(0)), Offset: ptr(int64(0)), Limit: ptr(int64(100))}
		}, Obj{"custom_audience_list": Arr{MinLen: 1, Elem: customAudience}, "offset": Int, "total_num": Int}),
		getCase("2/dmp/custom_audience/read", "DmpCustomAudienceReadV2ResponseData", func(f *Fixture) *customAudienceReadParams {
			return &customAudienceReadParams{AdvertiserId: ptr(f.Advertiser), CustomAudienceIds: &[]int64{audienceID(f)}}
		}, Obj{"custom_audience_list": Arr{MinLen: 1, Elem: customAudience}}),
		postCase("2/dmp/custom_audience/publish", "DmpCustomAudiencePublishV2Request", func(f *Fixture) *customAudiencePublishRequest {
			return &customAudiencePublishRequest{AdvertiserId: f.Advertiser, CustomAudienceId: audienceID(f)}
		}, Obj{}),
		postCase("2/dmp/custom_audience/push_v2", "DmpCustomAudiencePushV2V2Request", func(f *Fixture) *customAudiencePushRequest {
			return &customAudiencePushRequest{AdvertiserId: f.Advertiser, CustomAudienceId: audienceID(f), TargetAdvertiserIds: []int64{f.Advertiser}}
		}, Obj{}),
		postCase("2/dmp/data_source/file/upload", "DmpDataSourceFileUploadV2 (multipart) / DmpDataSourceFileUploadV2ResponseData", func(f *Fixture) *dataSourceFileUploadRequest {
			return &dataSourceFileUploadRequest{AdvertiserId: ptr(f.Advertiser), File: &File{Name: "ids.zip", Data: sampleZip}, FileSignature: ptr(md5Hex(sampleZip))}
		}, Obj{"file_path": Str}).upload(),
		postCase("2/dmp/data_source/create", "DmpDataSourceCreateV2Request / DmpDataSourceCreateV2ResponseData", func(f *Fixture) *dataSourceCreateRequest {
			var up struct {
				FilePath string `json:"file_path"`
			}
			req, err := Encode(f.BaseURL, "2/dmp/data_source/file/upload", "POST", &dataSourceFileUploadRequest{AdvertiserId: ptr(f.Advertiser),
				File: &File{Name: "ids.zip", Data: sampleZip}}, f.Token, true)
			if err == nil {
				err = f.Do(req, &up)
			}
			if err != nil {
				panic(err)
			}
			return &dataSourceCreateRequest{AdvertiserId: f.Advertiser, DataSourceName: "SDK 数据源", Description: ptr("近 30 天下单用户"),
				FilePaths: []string{up.FilePath}, DataSourceType: ptr("UID")}
		}, Obj{"data_source_id": Str}),
	}
}
