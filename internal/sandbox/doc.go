// Package sandbox is a sandbox of the OceanEngine (巨量引擎) Marketing Open API,
// served by cmd/oesim:
// an http.Handler that speaks the platform's wire format over a deterministic
// synthetic world, for development, demos, tests and benchmarks.
//
// What it simulates:
//
//   - The envelope {"code","message","data","request_id"} with business
//     errors inside HTTP 200, GET parameters JSON-encoded, POST JSON bodies,
//     multipart uploads, the Access-Token header, paths with or without a
//     trailing slash: requests as the official Go SDK encodes them (the
//     conformance subpackage sends every endpoint's).
//   - OAuth: the authorise page (/audit/oauth.html), single-use auth codes
//     living 10 minutes, access/refresh tokens with rotation.
//   - A world generated lazily from Options.Seed: majordomo (管家) and agent
//     accounts over leaf advertisers; campaigns → ads → creatives (v2) and
//     projects → promotions (v3); a material library, custom audiences and
//     audience packages per advertiser.
//   - Reads, creates and updates with the platform's rules and review (审核),
//     material uploads, audiences, tools and account finance; reports all
//     derived from one hourly fact table per creative/promotion, in integer
//     fen.
//   - A simulated clock (Clock), rate limits (40100/40110), injectable faults
//     (Faults), request counters (Stats) and ground truth (Truth), also served
//     as JSON under /_sim/.
//
// Endpoint keys (used by Faults, Stats and Options.EndpointQPS) are the path
// after /open_api/ without a trailing slash, e.g. "2/report/ad/get";
// Sim.EndpointTable lists them with their method, quota class, required
// parameters and business codes (routes.go declares them).
//
// Choices where the real platform's behaviour is unknown or where the brief
// could not be followed literally:
//
//   - Options.Speed 0 freezes the clock (the zero value is therefore a frozen
//     clock, the deterministic choice for tests); cmd/oesim defaults to 1.
//   - Only complete hours are reported: at 14:30 today's data covers 00:00 to
//     13:59; the current hour appears once it ends. A write applies to the
//     whole simulated hour in which it happens (a pause at 14:30 means no
//     spend in hour 14), which can never change an hour already visible.
//   - Conversions of an hour become visible late, as a fixed share of their
//     final value that grows with the hour's age and is final after 72 hours
//     (ConversionWindowHours).
//   - An invalid, used or expired auth code answers 40001 (the platform's
//     exact code is not public); a wrong app_id or secret answers 40101.
//   - Re-authorising overwrites the previous grant: exchanging a code
//     supersedes every earlier grant of the same OceanEngine user to the
//     same app, whichever accounts they name (old access tokens answer
//     40105, old refresh tokens 40107). Authorize approves as the demo user;
//     AuthorizeAs as another user, whose grants are independent.
//   - Report and list date spans may cover at most 30 days inclusive.
//   - The advertiser-level report (v2 and v3 without cdp_* dimensions) covers
//     both v2 ads and v3 promotions; campaign/ad/creative levels cover v2
//     only, project/promotion levels v3 only.
//   - Business-rule failures whose platform code is not public answer
//     40001 with a message naming the rule.
//   - Reviews are decided 10 to 60 simulated minutes after submission; one
//     new promotion in five is rejected, resubmissions are approved.
//   - Unknown paths answer HTTP 404 and a wrong method HTTP 405, as a gateway
//     would; these are not business errors.
//   - An advertiser's generated balance is its balance at Options.Start:
//     spend in the hours from the start's hour on draws it down (cash and
//     grant pro rata), and delivery stops when it reaches zero (ads show
//     AD_STATUS_BALANCE_EXCEED). History before the start is as generated.
//     Lifetime budgets (BUDGET_MODE_TOTAL) cap spend over the entity's
//     whole life.
//   - Scripted business events (scenario.go, also /_sim/ controls): fund
//     transfers in and out (AdjustFunds, SetBalance; delivery resumes after
//     a top-up), performance shifts of ads and promotions from the current
//     hour (ShiftPerformance: a conversion factor of 0.2 is a CPA spike),
//     review verdicts with reasons (Review; served by 2/ad/reject_reason
//     and v3.0/promotion/reject_reason/get, at most 10 ids; generated
//     rejections carry generated reasons) and expired tokens (ExpireTokens:
//     the next refresh answers 40103).
package sandbox
