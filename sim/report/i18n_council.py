"""Wording (en, ja) of the council pages: the 地域公共交通計画 KPI table, coverage and the decision page.

Merged into :data:`sim.report.i18n.TEXT`; the KPI labels are in the registry (:mod:`sim.kpis`),
in the terms of MLIT's 「地域公共交通計画等の作成と運用の手引き」.
"""

from __future__ import annotations

#: Why a request was not served (``rejections_by_reason`` keys of ``metrics.json``).
REASON_LABELS: dict[str, tuple[str, str]] = {
    "no_service_configured": ("No service configured", "サービスなし"),
    "outside_service_area": ("Outside every service area", "運行区域外"),
    "outside_service_hours": ("Outside service hours", "運行時間外"),
    "no_stop_within_walk": ("No stop within walking distance", "徒歩圏に乗降場所なし"),
    "origin_and_destination_share_a_stop": ("Origin and destination at the same stop", "出発地と目的地が同じ乗降場所"),
    "no_feasible_vehicle": ("No vehicle could take it (DRT full)", "配車できる車両なし（満車）"),
    "no_feasible_transfer_connection": ("No transfer connection", "乗継ぎ不可"),
    "party_larger_than_vehicle": ("Party larger than the vehicle", "人数が車両定員超過"),
    "no_service_option": ("No service option", "利用できる経路なし"),
    "no_later_trip": ("No later trip that day", "当日の後続便なし"),
    "denied_boarding_no_later_trip": ("Bus full, no later trip", "満員で乗車できず後続便なし"),
    "no_connection_at_the_hub": ("Stranded at the transfer hub", "乗継ぎ拠点で接続なし"),
    "gave_up_waiting": ("Gave up waiting for a line (max_wait_min)", "待ち時間の上限で乗車を断念（路線）"),
}

#: Report strings: key -> (English, Japanese).
COUNCIL_TEXT: dict[str, tuple[str, str]] = {
    "sec_council": ("KPI table of the local public transport plan", "地域公共交通計画の評価指標"),
    "council_intro": (
        "The indicators a 地域公共交通計画 (local public transport plan, MLIT guidance) reports, per scenario "
        "and per service. A year is the simulated day × the service's operating days; riders are passenger trips. "
        "The city's burden is what is left of cost − fares after the national and prefectural shares set in "
        "[costs.subsidy] (default: 4/5 of the automated services' costs, up to ¥100 M a year; "
        "docs/PARAMETERS.md#subsidy-national-share); per resident it is divided by {population} residents.",
        "地域公共交通計画（国土交通省の手引き）で示す評価指標を、シナリオ別・路線別に示します。年間値はシミュレーションした"
        "1日分×運行日数、利用者数は延べ乗車人数です。市の負担額は、運行経費−運賃収入から [costs.subsidy] で設定した国・県の"
        "補助（既定：自動運転サービスの経費の4/5、年1億円まで。docs/PARAMETERS.md#subsidy-national-share）を除いた額で、"
        "一人当たりは人口{population}人で割った値です。",
    ),
    "council_scenarios_title": ("By scenario", "シナリオ別"),
    "council_services_title": ("By service", "路線・サービス別"),
    "council_services_caption": (
        "Each cost item is shared out to services (staff by the service's hours, vehicles by its vehicles, the DRT "
        "system equally); a trip over two services counts as a rider of both and its fare is split. First run of each scenario.",
        "経費は項目ごとに各サービスへ配分しています（人件費は乗務時間、車両費は車両数、予約配車システムは均等）。"
        "乗継ぎの利用は両方のサービスの利用者に数え、運賃は折半しています。各シナリオの1回目の結果です。",
    ),
    "col_service": ("Service", "サービス"),
    "sec_benefits": ("Benefits and emissions", "便益と排出量"),
    "ben_intro": (
        "Laid out as MLIT's 費用便益分析マニュアル (Road Bureau and City Bureau, February 2022): each benefit is the "
        "difference against the case without the change, here the first scenario “{ref}”, for a year. Riders' time "
        "is valued at {vot} a minute (docs/PARAMETERS.md#value-of-time) for the requests served in both scenarios; "
        "requests served in only one are counted, not valued (that needs a demand curve). Vehicle CO₂ is vehicle-km × "
        "the CO₂ per km of each vehicle type (docs/PARAMETERS.md#emissions), in tonnes, not monetised; “{ref}” emits "
        "{co2} t a year.",
        "国土交通省「費用便益分析マニュアル」（道路局・都市局、令和4年2月）の構成にならい、変更しない場合（最初のシナリオ"
        "「{ref}」）との差を年間の便益として示します。利用者の時間は、両方のシナリオで対応した予約について1分{vot}"
        "（docs/PARAMETERS.md#value-of-time）で評価しています。一方のシナリオでのみ対応した予約は件数のみ示し、貨幣換算"
        "していません（需要曲線が必要なため）。車両のCO₂は走行キロ×車種別の1 km当たり排出量（docs/PARAMETERS.md#emissions）"
        "で、トン単位で示し貨幣換算していません。「{ref}」の排出量は年{co2} tです。",
    ),
    "ben_title": ("Against {ref}", "「{ref}」との比較"),
    "ben_caption": (
        "Time savings are positive when riders spend less time; a year = the reference's riders a year ÷ riders a day.",
        "時間短縮はプラスが利用者の時間の減少です。年間値は基準シナリオの年間利用者数÷1日の利用者数を日数としています。",
    ),
    "col_benefit": ("Benefit", "便益"),
    "ben_time_value": ("Riders' time savings (¥ a year) — 時間短縮便益", "利用者の時間短縮便益（年間）"),
    "ben_wait": ("  waiting saved (minutes a day)", "  待ち時間の短縮（分/日）"),
    "ben_ride": ("  riding saved (minutes a day)", "  乗車時間の短縮（分/日）"),
    "ben_walk": ("  walking saved (minutes a day)", "  徒歩時間の短縮（分/日）"),
    "ben_both": ("Riders served in both (a day)", "両方で対応した利用者（人/日）"),
    "ben_gained": ("Riders served only here (a day, not valued)", "このシナリオでのみ対応（人/日、貨幣換算なし）"),
    "ben_lost": ("Riders served only in the reference (a day, not valued)", "基準シナリオでのみ対応（人/日、貨幣換算なし）"),
    "ben_co2": ("Vehicle CO₂ (t a year)", "車両のCO₂排出量（t/年）"),
    "ben_co2_change": ("  change against the reference (t a year)", "  基準との差（t/年）"),
    "map_landmarks_note": (
        "White squares are railway stations and diamonds the bus terminal and city hall, with their names; the blue-grey "
        "line is the city boundary (MLIT N03), whose west side is the Tokyo Bay coast. The data has no railway or "
        "coastline geometry.",
        "白い四角は鉄道駅、ひし形はバスターミナルと市役所で、名前を添えています。青灰色の線は市境界（国土数値情報 N03）で、"
        "西側が東京湾の海岸線です。鉄道と海岸線の形状データはありません。",
    ),
    "fig_wait_axis_clipped": (
        "The wait axis ends at the 99th percentile ({p99} min); {n} longer waits lie beyond it (they are in requests.csv).",
        "待ち時間の軸は99パーセンタイル（{p99}分）までです。それより長い待ち時間{n}件は軸の外にあります（requests.csv に記載）。",
    ),
    "fig_wait_hour_clipped": (
        "The axis ends at the 99th percentile of all waits ({p99} min); a mean above it runs off the top.",
        "縦軸は全待ち時間の99パーセンタイル（{p99}分）までで、それを超える平均値は上にはみ出します。",
    ),
    "sec_decision": ("The answer: fewer drivers, same service?", "結論：運転士を減らしても公共交通を維持できるか"),
    "decision_intro": (
        "Can autonomous services keep public transport running with fewer drivers? For each scenario, against "
        "{ref}: staff saved, the change for riders and the city's burden per resident. Intervals are 95 % intervals "
        "of the paired difference over the simulated days; “sensitive to” gives the two assumptions that move the "
        "line most over their ranges (docs/PARAMETERS.md#decision-ranges), recomputed from the results.",
        "自動運転のサービスで、運転士を減らしても公共交通を維持できるか。各シナリオについて「{ref}」と比べた人員の削減、"
        "利用者へのサービスの変化、市民一人当たりの市の負担を示します。範囲はシミュレーションした各日の差の95%信頼区間、"
        "「影響の大きい前提」は、前提を想定範囲（docs/PARAMETERS.md#decision-ranges）で動かしたときに結果を最も大きく"
        "動かす2つです（結果ファイルから再計算）。",
    ),
    "decision_reference": (" (reference)", "（基準）"),
    "decision_staff_ref": (
        "Staff: {staff_now} FTE in all roles ({heads} people), of whom drivers {drivers_now} FTE ({driver_heads} people).",
        "人員：全職種で常勤換算{staff_now}人（実人数{heads}人）、うち運転士{drivers_now}人（実人数{driver_heads}人）。",
    ),
    "decision_staff": (
        "Staff: {drivers} drivers FTE, {staff} FTE in all roles (now {drivers_now} drivers, {driver_heads} people; "
        "{staff_now} in all roles, {heads} people).",
        "人員：運転士{drivers}人、全職種で{staff}人（常勤換算。現在は運転士{drivers_now}人・実人数{driver_heads}人、"
        "全職種{staff_now}人・実人数{heads}人）。",
    ),
    "decision_riders_ref": (
        "Riders: {served_now} of {total} requests served a day, mean wait {wait_now}.",
        "利用者：1日の乗車予約{total}件のうち{served_now}件に対応、平均待ち時間{wait_now}。",
    ),
    "decision_riders": (
        "Riders: {served} requests served a day (now {served_now} of {total}), mean wait {wait} (now {wait_now}).",
        "利用者：対応した予約 {served}件/日（現在は{total}件中{served_now}件）、平均待ち時間 {wait}（現在は{wait_now}）。",
    ),
    "decision_riders_sens": (
        "Most sensitive to the demand (demand.requests_per_day: ridership is not published) and the fleet: "
        "these need new runs — python main.py sensitivity.",
        "需要（demand.requests_per_day：利用実績は非公表）と車両数の影響が大きく、評価には再計算が必要です"
        "（python main.py sensitivity）。",
    ),
    "decision_burden_ref": ("City burden per resident: {now} a year.", "市民一人当たりの市の負担：年{now}。"),
    "decision_burden": (
        "City burden per resident: {change} a year (now {now}).",
        "市民一人当たりの市の負担：年{change}（現在は{now}）。",
    ),
    "decision_interval": ("95 % interval over {n} days: {low} to {high}.", "{n}日分の95%信頼区間：{low}〜{high}。"),
    "decision_no_interval": (
        "One simulated day: no interval (run compare with --replications).",
        "1日分のシミュレーションのため信頼区間なし（compare を --replications 付きで実行）。",
    ),
    "decision_sensitive": ("Sensitive to: {items}.", "影響の大きい前提：{items}。"),
    "decision_sens_item": ("{name} {range} → {low} to {high}", "{name}（{range}）→ {low}〜{high}"),
    "subtitle_replicated": (
        "{r} simulated service days per scenario (root seed {seed}) · generated {date} by sodegaura-transit-sim {version} from {directory}",
        "シナリオごとに{r}日分の運行シミュレーション（ルートシード{seed}）・{date} 作成（sodegaura-transit-sim {version}、結果フォルダ {directory}）",
    ),
    "intro_comparison_replicated": (
        "This report compares {n} scenarios on the same travel demand in each of {r} simulated service days "
        "({k} trip requests a day on average; root seed {seed}).",
        "{r}日分の運行シミュレーションの各日で同じ移動需要（1日平均の乗車予約{k}件、ルートシード{seed}）に対して、"
        "{n}つのシナリオを比較しました。",
    ),
    "col_reason": ("Reason", "理由"),
    "col_cov_town": ("Town", "町丁"),
    "col_district": ("District", "地区"),
    "col_population": ("Residents", "人口"),
    "col_population_65plus": ("Aged 65+", "65歳以上"),
    "coverage_intro": (
        "Coverage (人口カバー率): residents within 300 m or 500 m walking of a stop of a line running that hour, or "
        "living inside a DRT area during its hours, averaged over the clock hours {window}. Residents are counted at "
        "their town's point (2015 census scaled to today's total) and walk along the road network; residents aged 65+ "
        "are estimated from district shares (docs/PARAMETERS.md#population-65plus-by-town). Residents without service "
        "(交通空白地人口) are those not covered within 500 m at any of these hours.",
        "人口カバー率：その時間帯に運行している路線の停留所から徒歩300 m・500 m以内、または運行時間中のデマンド交通の"
        "運行区域内に住む人口の割合を、{window}の各時台で平均した値です。人口は町丁の代表点（2015年国勢調査を現在の"
        "総人口に補正）で数え、徒歩距離は道路網に沿って測っています。65歳以上人口は地区別の高齢化率から推計しています"
        "（docs/PARAMETERS.md#population-65plus-by-town）。交通空白地人口は、どの時台にも500 m圏に入らない人口です。",
    ),
    "coverage_all": (
        "Every town is within 500 m of a running service, or inside a DRT area, in every hour {window} in every scenario.",
        "どのシナリオでも、{window}のすべての時台で全町丁が運行中のサービスの500 m圏内またはデマンド交通の区域内です。",
    ),
    "coverage_title": ("Towns not always covered (share of the hours within 500 m)", "常にはカバーされていない町丁（500 m圏に入る時台の割合）"),
    "coverage_caption": (
        "Towns with the most residents outside 500 m of a running service in some scenario, hours {window}; coverage.csv has every town.",
        "いずれかのシナリオで500 m圏外となる人口が多い町丁（{window}）。全町丁は coverage.csv にあります。",
    ),
    "coverage_cbar": ("Hours covered within 500 m", "500 m圏に入る時台の割合"),
    "coverage_map_title": ("Population coverage by town", "町丁別の人口カバー状況"),
    "coverage_map_caption": (
        "One circle per town (area = residents); colour = share of the hours {window} in which the town is within 500 m "
        "walking of a running line's stop or inside a running DRT area.",
        "町丁ごとの円（面積＝人口）。色は、{window}のうち運行中の路線の停留所から徒歩500 m以内またはデマンド交通の"
        "運行区域内にある時台の割合です。",
    ),
    "rejections_title": ("Requests not served, by reason", "不成立の予約（理由別）"),
    "rejections_caption": (
        "Requests per simulated day (mean over runs with replications); metrics.json rejections_by_reason.",
        "1日当たりの件数（反復がある場合は平均）。metrics.json の rejections_by_reason です。",
    ),
}
