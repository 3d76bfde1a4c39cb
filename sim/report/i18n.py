"""Report wording in English and Japanese, and number formatting per language.

Every string a report shows comes from :data:`TEXT` (looked up with :func:`tr`) or from the results
themselves (scenario names, town names, source comments). Numbers are formatted here so that the
HTML, the Markdown and the charts agree: minutes as ``5.2 min`` / ``5.2分``, yen as ``¥12.3 M`` /
``1,230万円``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from sim import kpis
from sim.report.i18n_studies import STUDY_TEXT
from sim.tolerance import EPS

Lang = Literal["en", "ja"]
LANGS: tuple[str, ...] = ("en", "ja")

#: Every report string: key -> (English, Japanese). ``{placeholders}`` are filled by :func:`tr`.
TEXT: dict[str, tuple[str, str]] = {
    # ---- titles and sections
    "title_comparison": ("Scenario comparison: {names}", "シナリオ比較：{names}"),
    "title_run": ("Scenario report: {name}", "シナリオ報告：{name}"),
    "subtitle": (
        "One simulated service day · generated {date} by sodegaura-transit-sim {version} from {directory}",
        "1日分の運行シミュレーション・{date} 作成（sodegaura-transit-sim {version}、結果フォルダ {directory}）",
    ),
    "sec_summary": ("Executive summary", "要旨"),
    "sec_compared": ("What was compared", "比較した内容"),
    "sec_simulated": ("What was simulated", "シミュレーションした内容"),
    "sec_kpis": ("Key performance indicators", "主要指標"),
    "sec_service": ("Service quality for riders", "利用者から見たサービス水準"),
    "sec_staff_cost": ("Staff and cost", "必要人員と経費"),
    "sec_operations": ("Vehicle operations", "車両の運行状況"),
    "sec_maps": ("Maps", "地図"),
    "sec_towns": ("Requests by origin town", "出発町丁別の予約"),
    "sec_assumptions": ("Assumptions and sources", "前提条件と出典"),
    "sec_method": ("How to read this report", "本報告の読み方"),
    "sec_files": ("Files", "ファイル"),
    "toc": ("Contents", "目次"),
    # ---- summary sentences
    "intro_comparison_same": (
        "This report compares {n} scenarios on the same travel demand: {k} trip requests on one simulated "
        "service day (random seed {seed}).",
        "同じ移動需要（1日分の運行シミュレーション、乗車予約{k}件、乱数シード{seed}）に対して、{n}つのシナリオを比較しました。",
    ),
    "intro_comparison_diff": (
        "This report compares {n} scenarios over one simulated service day each; their travel demand differs "
        "(see the number of trip requests in the table).",
        "{n}つのシナリオについて、それぞれ1日分の運行をシミュレーションして比較しました。シナリオ間で移動需要が異なります（表の乗車予約数を参照）。",
    ),
    "intro_run": (
        "This report describes one simulated service day of the scenario “{name}”: {k} trip requests "
        "(random seed {seed}).",
        "シナリオ「{name}」の1日分の運行をシミュレーションした結果です（乗車予約{k}件、乱数シード{seed}）。",
    ),
    "intro_replications": (
        "Each scenario was simulated {r} times with different random seeds; ranges in brackets are 95% "
        "confidence intervals of the mean.",
        "各シナリオを乱数シードを変えて{r}回シミュレーションしました。括弧内の範囲は平均値の95%信頼区間です。",
    ),
    "intro_single": (
        "Results come from a single simulated day (no replications), so differences of a few percent between "
        "scenarios may be chance. Run compare with --replications to get confidence intervals.",
        "結果は1日分のシミュレーション1回（反復なし）によるもので、シナリオ間の数％程度の差は偶然の範囲かもしれません。"
        "信頼区間が必要な場合は compare を --replications 付きで実行してください。",
    ),
    "intro_single_run": (
        "Results come from a single simulated day, so they include chance variation from the random demand; "
        "compare with --replications gives confidence intervals.",
        "結果は1日分のシミュレーション1回によるもので、需要の偶然の変動を含みます。信頼区間が必要な場合は compare を "
        "--replications 付きで実行してください。",
    ),
    "scenario_line": (
        "{name}: {served} of {total} requests served ({rejected} rejected, {rate}); mean wait {wait}, "
        "90% of riders waited at most {p90}{staff}{cost}.",
        "「{name}」：乗車予約{total}件のうち{served}件に対応（不成立{rejected}件、{rate}）。平均待ち時間{wait}、"
        "利用者の90%は{p90}以内に乗車{staff}{cost}。",
    ),
    "scenario_staff": ("; {drivers} drivers needed (full-time equivalents)", "。必要運転士数は常勤換算で{drivers}人"),
    "scenario_cost": (
        "; annual cost {cost}, of which the city pays {subsidy} after fares",
        "。年間経費{cost}のうち、運賃収入を差し引いた市の負担は{subsidy}",
    ),
    "scenario_cost_only": ("; annual cost {cost}", "。年間経費{cost}"),
    "best_on": ("Best on {kpi}: {name} ({value}).", "{kpi}が最も良いのは「{name}」（{value}）。"),
    "best_close": (
        " Its 95% confidence interval overlaps that of {other}, so the difference is not clear.",
        "ただし95%信頼区間が「{other}」と重なっており、差ははっきりしません。",
    ),
    "best_tie": ("Equal on {kpi}: {names} ({value}).", "{kpi}は{names}で同じ（{value}）。"),
    "best_heading": ("Which scenario is best on each headline figure", "主要な数値ごとに最も良いシナリオ"),
    "headline_heading": ("Headline numbers per scenario", "シナリオ別の主要な数値"),
    "no_staffing": (
        "Staffing and costs were not computed for these results (no staffing.json or costs.json), so drivers "
        "needed and annual costs are not shown.",
        "この結果には人員・経費の計算結果（staffing.json、costs.json）がないため、必要運転士数と年間経費は表示していません。",
    ),
    "best_marker_note": ("★ marks the best value in each column.", "★は各列で最も良い値を示します。"),
    "missing_run": (
        "No run directory was found for {name}; only its numbers from comparison.csv are shown.",
        "「{name}」の実行結果フォルダが見つからないため、comparison.csv の数値のみ表示しています。",
    ),
    # ---- provenance
    "provenance_sodegaura": (
        "Road network: the embedded Sodegaura network is a reconstruction from real anchor points (city "
        "boundary, 72 town points, 19 key places), not OpenStreetMap data; distances and travel times are "
        "approximate.",
        "道路網：内蔵の袖ケ浦市道路網は、実在の基準点（市境界、72町丁の代表点、主要施設19か所）から再構成した合成データで、"
        "OpenStreetMapのデータではありません。距離と所要時間は概算です。",
    ),
    "provenance_synthetic": (
        "Road network: {name} — {provenance} (synthetic, not OpenStreetMap data).",
        "道路網：{name}（{provenance}）。合成データであり、OpenStreetMapのデータではありません。",
    ),
    "provenance_other": ("Road network: {name} — {provenance}.", "道路網：{name}（{provenance}）。"),
    "provenance_unknown": ("Road network: provenance not recorded in the results.", "道路網：出典が結果に記録されていません。"),
    "map_provenance_sodegaura": (
        "Road network: reconstruction from real anchor points, not OpenStreetMap data",
        "道路網：実在の基準点から再構成した合成データ（OpenStreetMapデータではありません）",
    ),
    "map_provenance_synthetic": ("Road network: {name}, synthetic (not OpenStreetMap data)", "道路網：{name}（合成データ、OpenStreetMapではありません）"),
    "map_provenance_other": ("Road network: {provenance}", "道路網：{provenance}"),
    "map_no_network": (
        "Road network could not be loaded ({error}); drawn without roads",
        "道路網を読み込めなかったため道路なしで表示（{error}）",
    ),
    # ---- what was compared
    "col_scenario": ("Scenario", "シナリオ"),
    "col_description": ("Description", "説明"),
    "col_services": ("Services", "運行サービス"),
    "col_demand": ("Demand", "需要"),
    "col_kpi": ("Indicator", "指標"),
    "service_drt": (
        "{name}: on-demand ({mode}), {fleet} × {vehicle} ({capacity} passengers, {automation}), {start}–{end}, {days}{areas}",
        "{name}：デマンド型（{mode}）、{vehicle}（定員{capacity}人、{automation}）{fleet}台、{start}～{end}、{days}{areas}",
    ),
    "service_line": (
        "{name}: fixed line ({pattern}), {stops} stops from {first} to {last}, {timetable}, {vehicle} "
        "({capacity} passengers, {automation}), {days}",
        "{name}：定時路線（{pattern}）、{first}～{last}の{stops}停留所、{timetable}、{vehicle}（定員{capacity}人、{automation}）、{days}",
    ),
    "pattern_loop": ("loop", "循環"),
    "pattern_out_and_back": ("out and back", "往復"),
    "timetable_headway": ("every {h} min {start}–{end}", "{start}～{end}に{h}分間隔"),
    "timetable_departures": ("{n} departures a day", "1日{n}便"),
    "per_service_title": ("By service", "サービス別"),
    "per_service_first_run": ("Values from the first replication.", "値は1回目の反復のものです。"),
    "per_service_caption": (
        "A name with “+” counts trips that used both services (a transfer).",
        "「+」で結んだ名前は、両方のサービスを乗り継いだ利用を表します。",
    ),
    "service_other": ("{name}: {kind}", "{name}：{kind}"),
    "areas": ("; areas {areas}", "、区域 {areas}"),
    "hub": (", transfers at {hub}", "、{hub}で乗り継ぎ"),
    "mode_stop": ("stop to stop", "乗降場所間"),
    "mode_door": ("door to door", "ドア・ツー・ドア"),
    "automation_human": ("human driver", "運転士が運転"),
    "automation_level2": ("Level 2, operator on board", "レベル2・運転者が乗務"),
    "automation_level4_crew": ("Level 4, crew on board", "レベル4・乗務員が同乗"),
    "automation_level4_remote": ("Level 4, remote supervision", "レベル4・遠隔監視"),
    "days_all": ("every day", "毎日"),
    "demand_line": (
        "{k} requests between {start} and {end}{csv}",
        "{start}～{end}に乗車予約{k}件{csv}",
    ),
    "demand_csv": (" (from a demand file)", "（需要ファイルから読込）"),
    # ---- KPI table
    "kpi_table_caption_ci": (
        "Mean over {r} replications with the 95% confidence interval in brackets.",
        "{r}回の反復の平均値。括弧内は95%信頼区間。",
    ),
    "kpi_table_caption": ("Values from one simulated day.", "1日分のシミュレーション結果の値。"),
    # ---- charts
    "fig_wait_cdf": ("Wait time distribution", "待ち時間の分布"),
    "fig_wait_cdf_x": ("Wait (minutes)", "待ち時間（分）"),
    "fig_wait_cdf_y": ("Share of served riders who waited at most this long", "この時間以内に乗車できた利用者の割合"),
    "fig_wait_cdf_caption": (
        "Each line is one scenario: the share of served riders (vertical axis) who waited at most the time on "
        "the horizontal axis. A line further up and to the left is better.",
        "各線が1つのシナリオです。横軸の時間以内に乗車できた利用者の割合（縦軸）を示します。左上にある線ほど良い結果です。",
    ),
    "fig_wait_hour": ("Mean wait by hour of desired departure", "希望出発時刻別の平均待ち時間"),
    "fig_wait_hour_x": ("Desired departure time (hour of day)", "希望出発時刻（時間帯）"),
    "fig_wait_hour_y": ("Mean wait (minutes)", "平均待ち時間（分）"),
    "fig_wait_hour_caption": (
        "Mean wait of served riders grouped by the hour they wanted to leave.",
        "対応できた利用者の平均待ち時間を、希望出発時刻の時間帯ごとに示します。",
    ),
    "fig_rejections_hour": ("Rejected requests by hour of desired departure", "希望出発時刻別の不成立件数"),
    "fig_rejections_hour_y": ("Rejected requests per day", "不成立件数（件/日）"),
    "fig_rejections_hour_caption": (
        "Requests that could not be served, by the hour the rider wanted to leave.",
        "対応できなかった乗車予約の件数を、希望出発時刻の時間帯ごとに示します。",
    ),
    "fig_staff": ("Staff needed by role", "職種別の必要人員"),
    "fig_staff_y": ("Full-time equivalents (FTE)", "常勤換算人数（人）"),
    "fig_staff_caption": (
        "Staff needed to run the service every operating day, as full-time equivalents by role (stacked); "
        "the number on top is the total.",
        "運行日すべてを担うのに必要な人員を職種別に常勤換算で積み上げて示します。上の数字は合計です。",
    ),
    "fig_cost": ("Annual cost by component", "年間経費の内訳"),
    "fig_cost_x": ("Annual cost (million yen)", "年間経費（万円）"),
    "fig_cost_caption": (
        "Annual cost per scenario split into its components; the label gives the cost per trip (annual cost "
        "divided by annual trips).",
        "シナリオ別の年間経費と内訳です。ラベルは利用1回あたりの経費（年間経費÷年間利用回数）です。",
    ),
    "fig_cost_per_trip": ("{value} per trip", "1回あたり{value}"),
    "fig_fleet": ("Vehicles in service and passengers on board over the day", "時間帯別の稼働車両数と乗車人数"),
    "fig_fleet_y1": ("Vehicles in service", "稼働車両数（台）"),
    "fig_fleet_y2": ("Mean passengers on board per vehicle", "1台あたり平均乗車人数（人）"),
    "fig_fleet_x": ("Time of day", "時刻"),
    "fig_fleet_caption": (
        "Top: vehicles out of the depot. Bottom: passengers on board per vehicle in service, averaged over "
        "15-minute intervals (idle time counts as zero).",
        "上：車庫を出て稼働している車両数。下：稼働車両1台あたりの乗車人数（15分ごとの平均、待機中は0人として計算）。",
    ),
    "fig_pphr": ("Passengers per vehicle-hour", "1台1時間あたり輸送人員"),
    "fig_pphr_y": ("Passengers per vehicle-hour", "輸送人員（人/台時間）"),
    "fig_pphr_caption": (
        "Passengers carried divided by vehicle-hours (depot to depot); higher means vehicles are used more "
        "productively. Whiskers show 95% confidence intervals when replications were run.",
        "輸送人員を車両の稼働時間（出庫から入庫まで）で割った値です。高いほど車両が効率よく使われています。"
        "反復した場合はひげが95%信頼区間を示します。",
    ),
    # ---- maps
    "map_service": ("Service areas, stops and lines", "運行区域・乗降場所・路線"),
    "map_service_caption": (
        "Each panel is one scenario: DRT service areas (coloured road nodes), virtual stops, the transfer hub "
        "and depots, and fixed lines where the scenario has them, drawn on the road network.",
        "各図が1つのシナリオです。道路網の上に、デマンド型交通の運行区域（色分けした道路の節点）、乗降場所、乗継拠点、車庫、"
        "および定時路線（ある場合）を示します。",
    ),
    "map_density": ("Where trips start", "出発地の分布"),
    "map_density_caption": (
        "Density of trip origins (hexagonal cells; darker = more trips starting there).",
        "出発地の密度です（六角形のセルごと。色が濃いほど出発が多い）。",
    ),
    "map_density_cbar": ("Trip starts per cell", "出発件数（セルあたり）"),
    "map_towns": ("Served and rejected requests by origin town", "出発町丁別の対応・不成立"),
    "map_towns_caption": (
        "One circle per origin town or place, at the mean position of its trip origins: the area is "
        "proportional to the number of requests, the colour gives the share served (green) or rejected (red).",
        "出発町丁・施設ごとに1つの円を、出発地の平均位置に描いています。円の面積は予約件数に比例し、色は対応できた割合"
        "（緑）と不成立の割合（赤）を示します。",
    ),
    "map_towns_cbar": ("Share of requests served", "対応できた割合"),
    "legend_roads": ("roads", "道路"),
    "legend_stops": ("stops", "乗降場所"),
    "legend_area": ("area {name}", "区域{name}"),
    "legend_hub": ("transfer hub", "乗継拠点"),
    "legend_depot": ("depot", "車庫"),
    "legend_line": ("line {name}", "路線{name}"),
    "map_no_layout": ("(areas not available: {error})", "（運行区域を表示できません：{error}）"),
    "map_no_layout_file": (
        "(no layout.json in this run directory: stops used by requests shown; rerun the scenario to draw its areas)",
        "（この結果フォルダに layout.json がないため利用された停留所のみ表示。運行区域の表示にはシナリオを再実行してください）",
    ),
    # ---- towns table
    "col_town": ("Origin town or place", "出発町丁・施設"),
    "col_requests": ("Requests", "予約件数"),
    "col_served": ("Served", "対応"),
    "col_rejected": ("Rejected", "不成立"),
    "towns_caption": (
        "Towns and places with the most rejected requests ({name}); all towns are in requests.csv.",
        "不成立件数の多い出発町丁・施設（{name}）。全町丁の結果は requests.csv にあります。",
    ),
    "towns_none_rejected": ("No request was rejected in {name}.", "「{name}」では不成立の予約はありませんでした。"),
    # ---- assumptions
    "assumptions_intro": (
        "Every parameter of the scenario, with where its value comes from. “PARAMETERS.md” refers to the "
        "project's table of sourced defaults; “ASSUMPTION” marks a value with no published source, which "
        "studies should vary.",
        "シナリオの全パラメータとその値の出典です。「PARAMETERS.md」は本プロジェクトの出典付き既定値一覧を指します。"
        "「ASSUMPTION」は公表された出典のない仮定値で、感度分析で変化させるべき値です。",
    ),
    "assumptions_changed": ("Settings that differ from the model defaults", "モデル既定値から変更した設定"),
    "assumptions_defaults": ("Model defaults used, with their sources", "既定値のまま使用した設定と出典"),
    "assumptions_differ": ("Settings that differ between the scenarios", "シナリオ間で異なる設定"),
    "col_parameter": ("Parameter", "パラメータ"),
    "col_meaning": ("Meaning", "意味"),
    "col_value": ("Value", "値"),
    "col_default": ("Default", "既定値"),
    "col_source": ("Source", "出典"),
    "src_override": ("command-line override (--set)", "コマンドラインでの変更（--set）"),
    "src_scenario_file": ("set in {file}", "{file} で設定"),
    "src_model_default": ("model default; no published source (ASSUMPTION)", "モデル既定値。公表された出典なし（ASSUMPTION）"),
    "src_required": ("required setting (no default)", "必須項目（既定値なし）"),
    "src_unused": ("not set (unused)", "未設定（使用せず）"),
    "assumptions_file": ("Scenario file used for source notes: {file}", "出典の注記を読んだシナリオファイル：{file}"),
    "assumptions_no_file": (
        "The original scenario file was not found, so sources come from the report's table of sourced defaults.",
        "元のシナリオファイルが見つからないため、出典は本報告に内蔵した既定値一覧によります。",
    ),
    # ---- method
    "method_items": (
        "Wait: time from when the rider wanted to leave (plus the walk to the stop) until boarding.|"
        "Rejected request: no vehicle could pick the rider up within the maximum wait and ride time, or the trip "
        "was outside the service areas or hours.|"
        "FTE (full-time equivalent): staff needed to cover every operating day, including days off, leave and "
        "spare staff, expressed as full-time posts.|"
        "Annual cost: staff, vehicles (purchase written off over their life), energy and maintenance for a "
        "year of operation; the city's subsidy is the annual cost minus fare revenue.|"
        "95% confidence interval: with replications, the range that contains the true mean with 95% "
        "probability under the model; overlapping intervals mean the difference is not clear.|"
        "All results are model estimates for planning, not forecasts of ridership.",
        "待ち時間：利用者が出発を希望した時刻（乗降場所までの徒歩を含む）から乗車までの時間。|"
        "不成立：最大待ち時間・最大乗車時間の条件内で迎えに行ける車両がなかった予約、または運行区域・運行時間外の予約。|"
        "常勤換算（FTE）：すべての運行日を担うのに必要な人員を、休日・休暇・予備要員を含めて常勤職員の人数に換算した値。|"
        "年間経費：1年間の運行に要する人件費、車両費（耐用年数で償却）、燃料・電力費、整備費。市の負担額は年間経費から運賃収入を差し引いた額。|"
        "95%信頼区間：反復シミュレーションを行った場合に、モデル上の真の平均値が95%の確率で含まれる範囲。区間が重なる場合は差がはっきりしません。|"
        "結果はすべて計画検討のためのモデル推計であり、利用者数の予測ではありません。",
    ),
    "files_items": (
        "report.html (this report, self-contained), report.md and figures/*.png; per scenario: scenario.toml "
        "(the resolved scenario), metrics.json, requests.csv, vehicles.csv, legs.csv, vehicle_moves.csv, demand.csv"
        "{extra}. Rebuild the report with: python main.py report {directory} --lang {code}",
        "report.html（本報告、単体で閲覧可能）、report.md、figures/*.png。シナリオごとに scenario.toml（解決済みシナリオ）、"
        "metrics.json、requests.csv、vehicles.csv、legs.csv、vehicle_moves.csv、demand.csv{extra}。"
        "報告の再作成：python main.py report {directory} --lang {code}",
    ),
    "figure": ("Figure", "図"),
    "present": ("yes", "あり"),
    "group_areas": ("DRT areas", "デマンド交通の区域"),
    "group_service": ("service (kind: vehicle type)", "運行サービス（種類：車両）"),
    "group_vehicle": ("vehicle type (automation)", "車両タイプ（自動運転レベル）"),
    "best_mark": ("★", "★"),
    "value_na": ("–", "–"),
    # ---- cost components and staff roles (keys of staffing.json / costs.json)
    "role_drivers": ("Drivers", "運転士"),
    "role_attendants": ("Attendants on board", "車内添乗員"),
    "role_remote_operators": ("Remote operators", "遠隔監視員"),
    "role_field_staff": ("Field response staff", "現場対応要員"),
    "role_dispatchers": ("Dispatchers", "配車オペレーター"),
    "role_booking_staff": ("Booking staff", "予約受付"),
    "role_driver": ("Drivers", "運転士"),
    "role_level2_operator": ("Level 2 operators on board", "レベル2運転者"),
    "role_level4_crew": ("Level 4 crew on board", "レベル4乗務員"),
    "role_remote_operator": ("Remote operators", "遠隔監視員"),
    "role_supervisors": ("Supervisors", "運行管理者"),
    "cost_staff": ("Staff", "人件費"),
    "cost_drivers": ("Drivers", "運転士人件費"),
    "cost_labour": ("Staff", "人件費"),
    "cost_vehicles": ("Vehicles", "車両費"),
    "cost_capital": ("Vehicles (capital)", "車両費（減価償却）"),
    "cost_depreciation": ("Vehicles (depreciation)", "車両費（減価償却）"),
    "cost_energy": ("Energy", "燃料・電力費"),
    "cost_maintenance": ("Maintenance", "整備費"),
    "cost_overhead": ("Overhead", "間接費"),
    "cost_remote": ("Remote operation", "遠隔監視費"),
    "cost_control_room": ("Control room", "遠隔監視室"),
    "cost_insurance": ("Insurance", "保険料"),
    "cost_other": ("Other", "その他"),
    "cost_fixed": ("Fixed (systems, control room)", "固定費（システム・監視室）"),
    "cost_running": ("Energy and maintenance", "燃料・整備費"),
    "cost_vehicle": ("Vehicles", "車両費"),
    "staff_table_title": ("Staff by role", "職種別の人員"),
    "staff_table_caption": (
        "Duties are cut from the vehicle blocks under the working-time rules; FTE converts duty-days to full-time "
        "posts including leave and spares (details in staffing.json and duties.csv).",
        "勤務は車両の運用を労働時間規制に沿って分割したもので、常勤換算は勤務日数を休暇・予備を含めて常勤職員数に換算した値です"
        "（詳細は staffing.json と duties.csv）。",
    ),
    "col_role": ("Role", "職種"),
    "col_duties": ("Duties per day", "1日の勤務数"),
    "col_paid_hours": ("Paid hours per day", "1日の勤務時間"),
    "col_fte": ("FTE", "常勤換算"),
    "col_headcount": ("Headcount", "必要人数"),
    "col_longest": ("Longest duty", "最長勤務"),
    "cost_table_title": ("Annual cost items", "年間経費の項目"),
    "cost_table_caption": (
        "Each non-zero cost item with its formula and the source of its inputs (costs.json lists every item).",
        "0円でない経費項目ごとの計算式と入力値の出典です（全項目は costs.json にあります）。",
    ),
    "col_item": ("Item", "項目"),
    "col_annual": ("Per year", "年額"),
    "col_formula": ("Formula", "計算式"),
}

#: Parameter meanings for the assumptions table: field name -> (English, Japanese).
PARAM_LABELS: dict[str, tuple[str, str]] = {
    "name": ("scenario name", "シナリオ名"),
    "description": ("description", "説明"),
    "seed": ("random seed", "乱数シード"),
    "source": ("road network source", "道路網の出典"),
    "csv": ("demand file", "需要ファイル"),
    "zones": ("demand zones", "需要ゾーン"),
    "zone_count": ("number of pseudo-zones", "擬似ゾーン数"),
    "requests_per_day": ("trip requests per day", "1日の乗車予約数"),
    "start": ("start time", "開始時刻"),
    "end": ("end time", "終了時刻"),
    "hourly_profile": ("hourly demand profile", "時間帯別需要の重み"),
    "prebooked_share": ("share of trips booked in advance", "事前予約の割合"),
    "prebook_lead_min_min": ("shortest booking lead time (min)", "予約の最短事前時間（分）"),
    "prebook_lead_max_min": ("longest booking lead time (min)", "予約の最長事前時間（分）"),
    "party_size_weights": ("group size weights (1, 2, … riders)", "同行人数の重み（1人、2人…）"),
    "home_share": ("share of trips between towns (vs to key places)", "町丁間の移動の割合（主要施設への移動以外）"),
    "min_trip_m": ("shortest trip (m)", "最短移動距離（m）"),
    "jitter_m": ("spread of homes around a town point (m)", "町丁代表点周辺の住居のばらつき（m）"),
    "population_total": ("population", "人口"),
    "attractor_weights": ("attraction weights of key places", "主要施設の吸引力の重み"),
    "speed_mps": ("walking speed (m/s)", "歩行速度（m/秒）"),
    "detour_factor": ("walking detour factor", "歩行経路の迂回係数"),
    "max_walk_m": ("longest walk to a stop (m)", "乗降場所までの最大徒歩距離（m）"),
    "capacity": ("passenger capacity", "定員（人）"),
    "seats": ("seats", "座席数"),
    "automation": ("automation level", "自動運転レベル"),
    "speed_cap_kmh": ("speed cap (km/h)", "最高速度（km/h）"),
    "stop_dwell_s": ("stop time (s)", "停車時間（秒）"),
    "board_s_per_pax": ("boarding time per passenger (s)", "1人あたり乗降時間（秒）"),
    "incidents_per_1000_km": ("incidents per 1,000 km", "1,000kmあたりの介入事象数"),
    "incident_remote_share": ("share of incidents resolved remotely", "遠隔で解決する事象の割合"),
    "incident_remote_min": ("remote resolution time (min)", "遠隔対応の所要時間（分）"),
    "incident_onsite_min": ("on-site resolution time (min)", "現地対応の所要時間（分）"),
    "price_yen": ("vehicle price (yen)", "車両価格（円）"),
    "lifetime_years": ("vehicle life (years)", "耐用年数（年）"),
    "residual_share": ("residual value share", "残存価値の割合"),
    "energy_yen_per_km": ("energy cost (yen/km)", "燃料・電力費（円/km）"),
    "maintenance_yen_per_km": ("maintenance cost (yen/km)", "整備費（円/km）"),
    "kind": ("service kind", "サービスの種類"),
    "vehicle": ("vehicle type", "車両タイプ"),
    "fleet_size": ("vehicles", "車両数（台）"),
    "days": ("operating days", "運行日"),
    "mode": ("stop-to-stop or door-to-door", "乗降場所方式かドア・ツー・ドアか"),
    "stop_spacing_m": ("virtual stop spacing (m)", "乗降場所の間隔（m）"),
    "max_wait_min": ("maximum wait (min)", "最大待ち時間（分）"),
    "max_ride_factor": ("maximum ride time factor (× direct)", "最大乗車時間の係数（直行時間の倍数）"),
    "max_ride_extra_min": ("maximum ride time extra (min)", "最大乗車時間の加算（分）"),
    "depot": ("depot", "車庫"),
    "districts": ("districts served", "対象地区"),
    "transfer_hub": ("transfer hub", "乗継拠点"),
    "min_transfer_min": ("minimum transfer time (min)", "最小乗継時間（分）"),
    "fare_within_area_yen": ("fare within an area (yen)", "区域内運賃（円）"),
    "fare_between_areas_yen": ("fare between areas (yen)", "区域間運賃（円）"),
    "headway_min": ("headway (min)", "運行間隔（分）"),
    "stops": ("stops", "停留所"),
    "enabled": ("service runs in this scenario", "このシナリオで運行するか"),
    "pattern": ("route pattern (loop or out and back)", "運行形態（循環・往復）"),
    "departures": ("departure times", "発車時刻"),
    "layover_min": ("layover at a terminal (min)", "折返し時間（分）"),
    "recovery_share": ("recovery time share of running time", "余裕時間の割合（走行時間比）"),
    "note": ("note", "備考"),
    "fare_yen": ("fare (yen)", "運賃（円）"),
    "walk_weight": ("weight of walking time in route choice", "経路選択での徒歩時間の重み"),
    "wait_weight": ("weight of waiting time in route choice", "経路選択での待ち時間の重み"),
    "transfer_penalty_min": ("transfer penalty (min)", "乗継抵抗（分）"),
    "timetable_headway_min": ("headway from which riders follow the timetable (min)", "利用者が時刻表に合わせて行動する運行間隔（分）"),
    "timetable_buffer_min": ("arrival before a timetabled departure (min)", "発車前に停留所に着く時間（分）"),
    "hubs": ("transfer hubs", "乗継拠点"),
    "max_binding_h": ("daily binding time limit (h)", "1日の拘束時間の上限（時間）"),
    "min_rest_h": ("rest between duties (h)", "勤務間の休息期間（時間）"),
    "max_driving_h": ("daily driving time limit (h)", "1日の運転時間の上限（時間）"),
    "max_continuous_driving_h": ("continuous driving limit (h)", "連続運転時間の上限（時間）"),
    "min_break_total_min": ("breaks per continuous-driving period (min)", "連続運転中の休憩の合計（分）"),
    "min_break_piece_min": ("shortest break that counts (min)", "休憩1回の最短時間（分）"),
    "max_weekly_driving_h": ("weekly driving time limit (h)", "1週間の運転時間の上限（時間）"),
    "annual_binding_limit_h": ("annual binding time limit (h)", "年間拘束時間の上限（時間）"),
    "prep_min": ("roll call and checks before pull-out (min)", "出庫前の点呼・点検（分）"),
    "handover_min": ("roll call and handover after pull-in (min)", "入庫後の点呼・引継ぎ（分）"),
    "relief_handover_min": ("handover at a relief point (min)", "交代地点での引継ぎ（分）"),
    "relief_travel_min": ("travel to a relief point (min)", "交代地点までの移動（分）"),
    "desk_handover_min": ("control-room briefing (min)", "監視室での引継ぎ（分）"),
    "relief_grid_min": ("staff change clock grid (min)", "交代時刻の刻み（分）"),
    "remote_vehicles_per_operator": ("vehicles per remote operator", "遠隔監視員1人あたりの車両数"),
    "field_staff_mode": ("how field staff are counted", "現場対応要員の算定方法"),
    "field_vehicles_per_staff": ("automated vehicles per field staff", "現場対応要員1人あたりの自動運転車両数"),
    "field_staff_per_area": ("field staff per service area", "運行区域あたりの現場対応要員"),
    "field_staff_automation": ("automation levels that need field staff", "現場対応要員が必要な自動運転レベル"),
    "booking_staff": ("booking staff on duty", "予約受付の人数"),
    "booking_start": ("booking centre opens", "予約受付の開始時刻"),
    "booking_end": ("booking centre closes", "予約受付の終了時刻"),
    "operating_days_per_year": ("operating days a year", "年間運行日数"),
    "closed_days_per_year": ("days a year without service", "年間運休日数"),
    "working_days_per_employee": ("working days per employee a year", "職員1人あたり年間勤務日数"),
    "leave_spare_factor": ("allowance for leave, sickness and spare staff", "休暇・病欠・予備要員の割増率"),
    "wage_yen_per_year.driver": ("driver pay per year (yen)", "運転士の年間給与（円）"),
    "wage_yen_per_year.level2_operator": ("Level 2 operator pay per year (yen)", "レベル2運転者の年間給与（円）"),
    "wage_yen_per_year.level4_crew": ("Level 4 crew pay per year (yen)", "レベル4乗務員の年間給与（円）"),
    "wage_yen_per_year.remote_operator": ("remote operator pay per year (yen)", "遠隔監視員の年間給与（円）"),
    "wage_yen_per_year.field_staff": ("field staff pay per year (yen)", "現場対応要員の年間給与（円）"),
    "wage_yen_per_year.booking_staff": ("booking staff pay per year (yen)", "予約受付職員の年間給与（円）"),
    "staff_overhead_share": ("employer overhead on pay", "給与に対する事業主負担の割合"),
    "interest_rate": ("interest rate on vehicle capital", "車両資本の金利"),
    "spare_vehicle_share": ("spare vehicles share", "予備車両の割合"),
    "control_room_yen_per_year": ("control room per year (yen)", "遠隔監視室の年間費用（円）"),
    "av_system_yen_per_vehicle_year": ("automated driving system per vehicle-year (yen)", "自動運転システム費（1台1年、円）"),
    "drt_system_yen_per_service_year": ("DRT booking and dispatch system per year (yen)", "予約・配車システム費（1年、円）"),
    "other_fixed_yen_per_year": ("other fixed costs per year (yen)", "その他の固定費（年、円）"),
}

WEEKDAYS: dict[str, tuple[str, str]] = {
    "mon": ("Mon", "月"),
    "tue": ("Tue", "火"),
    "wed": ("Wed", "水"),
    "thu": ("Thu", "木"),
    "fri": ("Fri", "金"),
    "sat": ("Sat", "土"),
    "sun": ("Sun", "日"),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a supported language, else raise ``ValueError`` naming the valid ones."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not supported; use one of: {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


def tr(lang: str, key: str, **values: Any) -> str:
    """The string ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    text = _pick(TEXT[key] if key in TEXT else STUDY_TEXT[key], lang)
    return text.format(**values) if values else text


def has(key: str) -> bool:
    """Whether :data:`TEXT` (or the study strings) has ``key``."""
    return key in TEXT or key in STUDY_TEXT


def kpi_label(lang: str, key: str) -> str:
    """Human label of a KPI key from the registry (:mod:`sim.kpis`; ``SERVICE.KPI`` is labelled
    ``SERVICE: label``); the key itself, prettified, when unknown."""
    k = kpis.get(key)
    if k is None:
        return key.replace("_", " ")
    service = key.rpartition(".")[0] if key not in (k.name, *k.aliases) else ""
    return f"{service}: {k.label(lang)}" if service else k.label(lang)


def param_label(lang: str, path: str) -> str:
    """Meaning of a scenario parameter from its dotted path (``parent.field`` first, then ``field``); "" if unknown."""
    parts = path.split(".")
    for key in (".".join(parts[-2:]), parts[-1]):
        if key in PARAM_LABELS:
            return _pick(PARAM_LABELS[key], lang)
    return ""


def weekday(lang: str, day: str) -> str:
    """Short weekday name."""
    return _pick(WEEKDAYS[day], lang) if day in WEEKDAYS else day


def quote(lang: str, name: str) -> str:
    """A scenario name quoted as running text expects (「…」 in Japanese)."""
    return f"「{name}」" if lang == "ja" else f"“{name}”"


def join_names(lang: str, names: list[str]) -> str:
    """``a, b and c`` / ``「a」、「b」、「c」``."""
    if lang == "ja":
        return "、".join(f"「{n}」" for n in names)
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _bad(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_number(value: float | None, digits: int = 1) -> str:
    """``1,234.5``; ``–`` for missing values."""
    if _bad(value):
        return "–"
    return f"{value:,.{digits}f}"


def fmt_minutes(lang: str, seconds: float | None, digits: int = 1) -> str:
    """Seconds shown as minutes: ``5.2 min`` / ``5.2分``."""
    if _bad(seconds):
        return "–"
    text = f"{seconds / 60.0:,.{digits}f}"  # type: ignore[operator]
    return f"{text}分" if lang == "ja" else f"{text} min"


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """A share 0..1 as ``12.5%``."""
    if _bad(value):
        return "–"
    return f"{value * 100.0:,.{digits}f}%"  # type: ignore[operator]


def fmt_yen(lang: str, value: float | None) -> str:
    """Yen: ``¥1,010`` / ``1,010円`` below a million; ``¥12.3 M`` / ``1,230万円`` from a million (万円 throughout, for comparability)."""
    if _bad(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if lang == "ja":
        if abs(v) >= 1_000_000:
            return f"{v / 10_000:,.0f}万円"
        return f"{v:,.0f}円"
    if abs(v) >= 1_000_000:
        return f"¥{v / 1_000_000:,.1f} M"
    return f"¥{v:,.0f}"


def fmt_kind(lang: str, kind: str, value: float | None) -> str:
    """Format ``value`` by unit kind: ``min`` (seconds in), ``pct``, ``yen``, ``int``, ``fte``, ``m``, ``km``, ``h``, ``x``."""
    if kind == "min":
        return fmt_minutes(lang, value)
    if kind == "pct":
        return fmt_percent(value)
    if kind == "yen":
        return fmt_yen(lang, value)
    if _bad(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if kind == "int":
        return f"{v:,.0f}" if abs(v - round(v)) < EPS or abs(v) >= 100 else f"{v:,.1f}"
    if kind == "fte":
        return f"{v:,.1f}"
    if kind == "m":
        return f"{v:,.0f} m"
    if kind == "km":
        return f"{v:,.0f} km"
    if kind == "h":
        return f"{v:,.1f}時間" if lang == "ja" else f"{v:,.1f} h"
    return f"{v:,.2f}"


def fmt_range(lang: str, kind: str, low: float, high: float, like: float) -> str:
    """A confidence interval ``low–high`` in the unit and scale of ``fmt_kind(lang, kind, like)`` without repeating the unit."""
    def bare(v: float) -> str:
        if kind == "min":
            return f"{v / 60.0:,.1f}"
        if kind == "pct":
            return f"{v * 100.0:,.1f}"
        if kind == "yen":
            if lang == "ja":
                return f"{v / 10_000:,.0f}" if abs(like) >= 1_000_000 else f"{v:,.0f}"
            return f"{v / 1_000_000:,.1f}" if abs(like) >= 1_000_000 else f"{v:,.0f}"
        if kind in ("m", "km", "int"):
            return f"{v:,.0f}" if kind != "int" or abs(v) >= 10 else f"{v:,.1f}"
        if kind in ("fte", "h"):
            return f"{v:,.1f}"
        return f"{v:,.2f}"

    return f"{bare(low)}–{bare(high)}"
