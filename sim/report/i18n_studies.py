"""Report wording of the studies (sweep, size, sensitivity) in English and Japanese.

Looked up through :func:`sim.report.i18n.tr` like every other report string; kept apart from
:data:`sim.report.i18n.TEXT` only to keep each file short.
"""

from __future__ import annotations

#: Study report strings: key -> (English, Japanese). ``{placeholders}`` are filled by ``tr``.
STUDY_TEXT: dict[str, tuple[str, str]] = {
    "title_sweep": ("Sweep of {file}", "{file} のパラメータ掃引"),
    "title_size": ("Sizing {param} for {file}", "{file} の {param} の規模算定"),
    "title_sensitivity": ("Sensitivity of {file}", "{file} の感度分析"),
    "subtitle_study": (
        "{runs} simulated service days · generated {date} by sodegaura-transit-sim {version} from {directory}",
        "1日分の運行シミュレーション{runs}回・{date} 作成（sodegaura-transit-sim {version}、結果フォルダ {directory}）",
    ),
    "sec_study": ("What ran", "実行した内容"),
    "sec_study_summary": ("Summary", "結果の概要"),
    "sec_figures": ("Figures", "図"),
    "sec_answer": ("Answer", "結論"),
    "sec_curve": ("Evaluated values", "評価した値"),
    "study_file": ("Scenario file: {file}", "シナリオファイル：{file}"),
    "study_replications": (
        "Replications per point: {r}; root seed {seed}; replication seeds {seeds}",
        "各点の反復回数：{r}回、基準シード{seed}、各反復のシード{seeds}",
    ),
    "study_seed_rule": (
        "Seed rule: replication 0 uses the root seed itself (it is the day `run --seed {seed}` simulates); "
        "replication k ≥ 1 uses a seed spawned from it; replication k is the same simulated day at every point "
        "(common random numbers), so differences between points are not noise from demand.",
        "シードの規則：反復0は基準シードそのもの（`run --seed {seed}` と同じ1日）、反復k（1以上）は基準シードから派生したシードを使います。"
        "反復kはどの点でも同じ日（共通乱数）なので、点の間の差は需要の偶然の変動によるものではありません。",
    ),
    "study_ci": (
        "Intervals: 95% Student-t confidence interval of the mean over replications, clipped to each indicator's "
        "physical range (a rate stays within 0–100%, a count at or above 0), written mean [low, high].",
        "区間：反復間の平均値の95%信頼区間（t分布）。各指標の取りうる範囲（率は0～100%、件数は0以上）に収めて、平均 [下限, 上限] と表記します。",
    ),
    "study_no_ci": (
        "One replication gives no interval (shown as “no CI”).",
        "反復が1回のため信頼区間はありません（「区間なし」と表示）。",
    ),
    "study_fixed": ("Fixed overrides: {sets}", "固定した上書き設定：{sets}"),
    "study_grid": ("Grid: {n} point(s) over {keys}", "格子：{keys} の組合せ {n} 点"),
    "study_runs": (
        "Runs: {total} ({reused} reused from an earlier run of this study, {ran} run now)",
        "実行回数：{total}回（以前の実行から再利用{reused}回、今回実行{ran}回）",
    ),
    "study_services": ("Services with their own indicators: {services}", "個別に集計したサービス：{services}"),
    "no_ci": ("no CI", "区間なし"),
    "col_point": ("Point", "点"),
    "col_n": ("Replications", "反復数"),
    "col_low": ("Low value → indicator", "低い値 → 指標"),
    "col_high": ("High value → indicator", "高い値 → 指標"),
    "col_swing": ("Swing |high − low|", "変化幅 |高−低|"),
    "col_meets": ("Meets the targets (conservative)", "目標達成（保守的判定）"),
    "yes": ("yes", "はい"),
    "no": ("no", "いいえ"),
    "sweep_files": (
        "Every indicator of every run is in runs.csv; means and intervals of every indicator in summary.csv.",
        "各実行の全指標は runs.csv、全指標の平均と信頼区間は summary.csv にあります。",
    ),
    "sweep_fig_title": ("{kpi} against {param}", "{param} と {kpi}"),
    "sweep_fig_caption": (
        "Mean and 95% confidence band over {reps} replication(s); one line per combination of the other varied parameters.",
        "{reps}回の反復による平均と95%信頼区間の帯。他のパラメータの組合せごとに1本の線です。",
    ),
    "sweep_fig_more": (" (first {shown} of {total} lines)", "（全{total}本のうち最初の{shown}本）"),
    "size_targets": ("Targets: {targets}", "目標：{targets}"),
    "size_rule": (
        "Rule: a '<=' or '<' target is met when the upper bound of the 95% interval of the indicator's mean meets it, "
        "a '>=' or '>' target when the lower bound does (conservative); the point estimate uses the mean, the "
        "optimistic answer the other bound.",
        "判定規則：「<=」「<」の目標は指標の平均の95%信頼区間の上限が、「>=」「>」の目標は下限が満たすときに達成とします（保守的判定）。"
        "点推定は平均値、楽観的判定はもう一方の限界値を使います。",
    ),
    "size_answer_smallest": (
        "{param} = {value} is the smallest value that meets every target (conservative bound).",
        "すべての目標を満たす {param} の最小値は {value} です（保守的判定）。",
    ),
    "size_answer_largest": (
        "{param} = {value} is the largest value that meets every target (conservative bound).",
        "すべての目標を満たす {param} の最大値は {value} です（保守的判定）。",
    ),
    "size_none": (
        "No evaluated value of {param} meets every target with the conservative bound.",
        "評価した {param} の値のうち、保守的判定ですべての目標を満たすものはありません。",
    ),
    "size_point": ("Point estimate (the mean meets the targets): {value}", "点推定（平均値が目標を満たす）：{value}"),
    "size_optimistic": ("Optimistic (the other bound meets the targets): {value}", "楽観的判定（もう一方の限界値が目標を満たす）：{value}"),
    "size_no_value": ("none in range", "範囲内になし"),
    "size_warning": ("Warning: {text}", "注意：{text}"),
    "size_fig_title": ("Sizing: {kpi} against {param}", "規模算定：{param} と {kpi}"),
    "size_fig_caption": (
        "Mean and 95% confidence interval at each evaluated value; dashed line: the target {target}; dotted line: the answer.",
        "評価した各値での平均と95%信頼区間。破線：目標 {target}、点線：結論の値。",
    ),
    "sens_params": ("Parameters (one at a time): {params}", "パラメータ（1つずつ変更）：{params}"),
    "sens_base": ("Base scenario: {value}", "基準シナリオ：{value}"),
    "sens_base_value": ("{param} (base {value})", "{param}（基準 {value}）"),
    "sens_files": (
        "All indicators: sensitivity.csv; runs: runs.csv; per-point means: summary.csv.",
        "全指標は sensitivity.csv、各実行は runs.csv、点ごとの平均は summary.csv にあります。",
    ),
    "sens_fig_title": ("Sensitivity of {kpi}", "{kpi}の感度"),
    "sens_fig_caption": (
        "Bars: mean at the low / high value of each parameter, from the base; lines: 95% confidence intervals; widest swing on top.",
        "棒：各パラメータを低い値・高い値にしたときの平均（基準からの差）。線：95%信頼区間。変化幅の大きい順に上から並べています。",
    ),
    "sens_at_low": ("at the low value", "低い値"),
    "sens_at_high": ("at the high value", "高い値"),
    "sens_base_line": ("base {value}", "基準 {value}"),
    "mean_ci_legend": ("mean, 95% CI", "平均と95%信頼区間"),
    "target_legend": ("target {target}", "目標 {target}"),
    "answer_legend": ("answer {param} = {value}", "結論 {param} = {value}"),
}

__all__ = ["STUDY_TEXT"]
