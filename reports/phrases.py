# ruff: noqa: E501 (each sentence stays whole on its line, easier to proofread)
"""The wording of the briefing and station report, per edition (zh-hans, en).

The documents are formal texts whose two editions are written, not assembled from UI
message catalogues (like the invitation e-mails, which have a template per language):
every sentence a briefing can contain is here, with named slots for the figures. The page
layout lives in the templates under ``templates/reports/pdf/``; the web pages use gettext.
"""

from __future__ import annotations

from typing import Any

ZH: dict[str, str] = {
    # masthead and running header
    "series": "科技工作者状况调查简报",
    "issue": "第{number}期",
    "marking": "内部资料　注意保存",
    "printed": "{issuer}　　{date}印发",
    "date": "{d.year}年{d.month}月{d.day}日",
    "period": "{a.year}年{a.month}月{a.day}日至{b.month}月{b.day}日",
    "period_years": "{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日",
    "headline_top": "{top}居科技工作者共性诉求首位",
    "headline_rise": "反映{rise}的比例明显上升",
    "headline_join": "　",
    "lead": (
        "{period}，{issuer}依托全市{stations}个科技工作者状况调查站点开展{wave_title}，"
        "回收有效问卷{completes}份，纳入分析{analysed}份。调查显示，{top_label}是科技工作者"
        "反映最集中的共性诉求，{top_share}的受访者反映这一问题{common_clause}。现将主要情况"
        "报告如下。"
    ),
    "lead_common": "；共有{n}项诉求在半数以上调查站点和行业中较为突出，具有普遍性",
    "toc": "目　录",
    # section titles
    "s_findings": "一、核心发现",
    "s_grievances": "二、共性诉求排序",
    "s_sectors": "三、分行业情况",
    "s_trend": "四、变化趋势",
    "s_hotspots": "五、重点群体",
    "s_quotes": "六、科技工作者心声",
    "s_actions": "七、对策建议",
    "s_method": "八、调查说明",
    "s_appendix": "附表　各项诉求估计结果",
    # figures
    "pct": "{v:.1f}%",
    "ci": "95%置信区间{l:.1f}%～{u:.1f}%",
    "ci_pp": "95%置信区间{l:+.1f}～{u:+.1f}个百分点",
    "ci_mean": "95%置信区间{l:.1f}～{u:.1f}",
    "n": "n＝{n}",
    "figure_note": "（{ci}，{n}）",
    "pp": "{d:.1f}个百分点",
    "unit_pp": "个百分点",
    "unit_hours": "小时/周",
    "p_adj": "校正后p＝{p}",
    "p_adj_small": "校正后p＜0.001",
    # findings
    "f_top_title": "{short}居共性诉求首位。",
    "f_top": "{share}的科技工作者反映“{label}”{fig}，{breadth}。",
    "f_breadth_all": "在样本量足以单独统计的全部{sc}个调查站点和{tc}个行业中均属突出问题，覆盖面最广",
    "f_breadth": "在{sc}个调查站点中的{sp}个、{tc}个行业中的{tp}个属于突出问题",
    "f_rise_title": "反映“{short}”的比例较上期明显上升。",
    "f_rise": "反映这一问题的比例为{share}{fig}，较{prev}上升{diff}（{dci}，{p}）。",
    "f_fall_title": "反映“{short}”的比例较上期有所下降。",
    "f_fall": "反映这一问题的比例为{share}{fig}，较{prev}下降{diff}（{dci}，{p}）。",
    "f_hot_title": "{group}科技工作者{short}问题尤为突出。",
    "f_hot": (
        "{group}受访者中反映“{label}”的比例达{share}{fig}，比其他科技工作者高{diff}（{dci}）。"
    ),
    "f_hours_title": "科技工作者工作时间偏长。",
    "f_hours": "受访者平均每周实际工作{mean}小时{fig}{research}。",
    "f_hours_research": "，直接用于科研或专业技术工作的时间约占{share}{fig}",
    "f_next_title": "{a}、{b}位列其后。",
    "f_next": "反映“{la}”的占{sa}{fa}，反映“{lb}”的占{sb}{fb}。",
    "hours_unit": "{v:.1f}",
    # groups (hotspots)
    "group_sector": "{label}",
    "group_region": "{label}",
    "group_age_group": "{label}",
    "group_title": "{label}职称",
    "group_title_none": "{label}",
    "group_default": "{label}",
    # grievances section
    "g_intro": (
        "按加权比例和覆盖面综合排序（得分＝加权比例×(0.5＋0.5×覆盖面)），本期{n}项诉求中有{c}项"
        "属于共性诉求。居前五位的依次是：{top5}。"
    ),
    "g_intro_none": "按加权比例和覆盖面综合排序，本期尚无诉求达到共性诉求的覆盖面标准。居前五位的依次是：{top5}。",
    "g_item": "{label}（{share}）",
    "g_list_sep": "；",
    "g_fig": "图{no}　各项诉求的加权比例及95%置信区间",
    "g_legend_common": "共性诉求",
    "g_legend_other": "其他诉求",
    "axis_share": "加权比例（%）",
    # sectors
    "h_intro": "分行业看，{top}在各行业普遍存在：在{hi}中比例最高（{hi_v}），在{lo}中最低（{lo_v}）。",
    "h_intro_one": "分行业看，各行业受访者反映的主要诉求见图{no}。",
    "h_fig": "图{no}　主要诉求的分行业加权比例（%）",
    "h_note": "注：“—”表示该行业受访者不足{k}人或为防止推算而不予显示。",
    # trend
    "t_intro": "与{prev}相比，{moves}。",
    "t_none_changed": "与{prev}相比，各项诉求的比例均未出现统计显著的变化",
    "t_move_up": "“{label}”上升{diff}",
    "t_move_down": "“{label}”下降{diff}",
    "t_first": "本期为首次调查，暂无可比较的往期数据，今后各期将与本期比较。",
    "t_fig": "图{no}　主要诉求的变化趋势（加权比例及95%置信区间）",
    "t_note": "注：快速调查只纳入问题设置可比的诉求；显著性经Benjamini–Hochberg多重比较校正。",
    # hotspots
    "hs_intro": "以下群体反映相关问题的比例显著高于其他科技工作者（经多重比较校正）：",
    "hs_none": "本期未发现比例显著高于其他科技工作者的群体。",
    "hs_group": "群体",
    "hs_grievance": "诉求",
    "hs_there": "该群体",
    "hs_rest": "其他",
    "hs_diff": "差异（百分点）",
    # quotes
    "q_intro": "以下摘录科技工作者在开放题中的原话（已删除姓名、单位、联系方式等个人信息）：",
    "q_by": "——{sector}科技工作者",
    "q_by_unknown": "——科技工作者",
    "q_none": "本期开放题中没有可供引用的回答。",
    # actions
    "a_intro": "针对居前列的共性诉求，结合调查结果，提出以下建议：",
    "a_item": "（{no}）{area}。",
    "a_evidence": "{share}的受访者反映“{label}”。",
    "a_none": "本期尚无达到共性标准的诉求，建议继续跟踪监测。",
    # method
    "m_design": (
        "本次调查于{period}在线开展，调查对象为全市调查站点所在单位的科技工作者。"
        "{stations}个调查站点参与，覆盖{sectors}类单位、{regions}个县（市、区），配额{target}份，"
        "回收有效问卷{completes}份，完成率{completion}。"
    ),
    "m_response": (
        "通过一次性答题码邀请{invitations}人，完成{done}人，应答率{rate}；"
        "通过站点公开链接填答的问卷不计入应答率。"
    ),
    "m_response_none": "本期未通过答题码邀请，不计算应答率。",
    "m_sample": "剔除数据质量存疑的问卷后，纳入分析{analysed}份。",
    "m_weights": (
        "以站点所在单位科技工作者人数为基础权数，按{year}年{dims}的总体结构进行迭代加权，"
        "并将权数截尾在平均权数的{lo}～{hi}倍之间；加权设计效应约为{deff}。"
    ),
    "m_weights_base": "以站点所在单位科技工作者人数为基础权数（未获得总体结构数据，未作迭代加权）；加权设计效应约为{deff}。",
    "m_error": (
        "全样本比例估计的最大抽样误差约为±{moe}个百分点（95%置信水平）。各项比例均报告95%置信区间和"
        "受访者人数n，置信区间按复杂抽样设计（以调查站点为初级抽样单元、按行业分层）计算。"
    ),
    "m_change": "与{prev}的比较采用独立样本检验，并用Benjamini–Hochberg方法校正多重比较。",
    "m_common": (
        "“共性诉求”指在半数以上调查站点和行业中属于突出问题（比例不低于{thr}或位列当地前{top}位）的诉求；"
        "覆盖面为符合上述条件的站点比例与行业比例的平均值。"
    ),
    "m_suppress": (
        "凡基于不足{k}名受访者的数据一律不予显示（以“—”表示），可据以推算的相关数据一并不予显示；"
        "引用的原话已删除个人信息，且仅来自受访者不少于{k}人的调查站点。"
    ),
    "dims_join": "、",
    "dim_sector": "行业",
    "dim_region": "地区",
    "dim_sex": "性别",
    "dim_title": "职称",
    "dim_age_group": "年龄",
    # appendix table
    "col_rank": "排序",
    "col_code": "代码",
    "col_grievance": "诉求",
    "col_share": "比例",
    "col_ci": "95%置信区间",
    "col_n": "n",
    "col_breadth": "覆盖面",
    "col_change": "较上期",
    "col_common": "共性",
    "yes": "是",
    "suppressed": "—",
    "app_note": "注：比例为加权比例；覆盖面为0～1；“较上期”为百分点，*表示经校正后显著（p＜0.05）。",
    # station report
    "sr_title": "调查站点反馈报告",
    "sr_s_progress": "一、本站调查进展",
    "sr_s_grievances": "二、本站科技工作者反映的主要问题",
    "sr_s_notes": "三、说明",
    "sr_progress": (
        "截至{date}，本站完成有效问卷{completes}份，配额{target}份，完成{pct}；"
        "全市各站点平均完成{city_pct}。{rank_clause}"
    ),
    "sr_rank": "本站完成率在{count}个站点中居第{rank}位。",
    "sr_rate": "本站通过答题码邀请{invitations}人，应答率{rate}。",
    "sr_rate_none": "本站未通过答题码邀请。",
    "sr_chart": "图1　本站每日累计完成数与配额",
    "sr_axis_completes": "累计完成（份）",
    "sr_target": "配额",
    "sr_grievances": "下表列出本站受访者反映最多的问题，并与全市比较（加权比例）：",
    "sr_small": "本站纳入分析的受访者不足{k}人，为保护受访者，不显示本站的分项结果；全市主要诉求如下：",
    "sr_col_grievance": "问题",
    "sr_col_station": "本站",
    "sr_col_city": "全市（95%置信区间）",
    "sr_chart2": "图2　本站与全市主要诉求比较（加权比例，%）",
    "sr_legend_station": "本站",
    "sr_legend_city": "全市",
    "sr_notes": (
        "本报告仅供本站工作人员参考，不得对外公开。全市数据为加权估计；本站比例基于本站受访者，"
        "受访者不足{k}人的项目不予显示。感谢本站对调查工作的支持，请继续做好后续调查组织工作。"
    ),
}

EN: dict[str, str] = {
    "series": "Briefing on the Status of S&T Workers",
    "issue": "No. {number}",
    "marking": "Internal — restricted circulation",
    "printed": "{issuer} · issued {date}",
    "date": "{d.day} {month} {d.year}",
    "period": "{a.day} {am} to {b.day} {bm} {b.year}",
    "period_years": "{a.day} {am} {a.year} to {b.day} {bm} {b.year}",
    "headline_top": "{top}: the most common grievance of S&T workers",
    "headline_rise": "{rise} up sharply",
    "headline_join": "; ",
    "lead": (
        "From {period}, {issuer} ran the {wave_title} through {stations} survey stations across "
        "the city: {completes} valid questionnaires were returned and {analysed} analysed. "
        "“{top_label}” is the grievance S&T workers raise most: {top_share} of respondents "
        "name it{common_clause}. The main findings follow."
    ),
    "lead_common": "; {n} grievances are prominent at more than half of the stations and sectors",
    "toc": "Contents",
    "s_findings": "1. Key findings",
    "s_grievances": "2. The common grievances, ranked",
    "s_sectors": "3. By sector",
    "s_trend": "4. Trends",
    "s_hotspots": "5. Groups most affected",
    "s_quotes": "6. In their own words",
    "s_actions": "7. Recommendations",
    "s_method": "8. About the survey",
    "s_appendix": "Annex: estimates for every grievance",
    "pct": "{v:.1f}%",
    "ci": "95% CI {l:.1f}–{u:.1f}%",
    "ci_pp": "95% CI {l:+.1f} to {u:+.1f} pp",
    "ci_mean": "95% CI {l:.1f}–{u:.1f}",
    "n": "n = {n}",
    "figure_note": " ({ci}; {n})",
    "pp": "{d:.1f} percentage points",
    "unit_pp": "percentage points",
    "unit_hours": "hours a week",
    "p_adj": "adjusted p = {p}",
    "p_adj_small": "adjusted p < 0.001",
    "f_top_title": "{short} tops the common grievances.",
    "f_top": "{share} of S&T workers name “{label}”{fig}; {breadth}.",
    "f_breadth_all": (
        "it is a leading concern at all {sc} stations and {tc} sectors with enough respondents "
        "to judge on their own, the broadest of all"
    ),
    "f_breadth": "it is a leading concern at {sp} of {sc} stations and in {tp} of {tc} sectors",
    "f_rise_title": "{short} has risen markedly.",
    "f_rise": "{share} name it{fig}, up {diff} on {prev} ({dci}; {p}).",
    "f_fall_title": "{short} has eased.",
    "f_fall": "{share} name it{fig}, down {diff} on {prev} ({dci}; {p}).",
    "f_hot_title": "{short} weighs most on S&T workers {group}.",
    "f_hot": "Among S&T workers {group}, {share} name “{label}”{fig}, {diff} more than other S&T workers ({dci}).",
    "f_hours_title": "S&T workers work long hours.",
    "f_hours": "Respondents work {mean} hours a week on average{fig}{research}.",
    "f_hours_research": "; about {share} of it goes to research or professional work itself{fig}",
    "f_next_title": "{a} and {b} follow.",
    "f_next": "“{la}” is named by {sa}{fa}, “{lb}” by {sb}{fb}.",
    "hours_unit": "{v:.1f}",
    "group_sector": "in {label_lower}",
    "group_region": "in {label}",
    "group_age_group": "aged {label_lower}",
    "group_title": "with a title of {label_lower}",
    "group_title_none": "without a professional title",
    "group_default": "in the group {label}",
    "g_intro": (
        "Ranked by weighted share and breadth (score = share × (0.5 + 0.5 × breadth)), {c} of "
        "the {n} grievances are common. The top five are: {top5}."
    ),
    "g_intro_none": "Ranked by weighted share and breadth, no grievance reaches the breadth of a common grievance this time. The top five are: {top5}.",
    "g_item": "{label} ({share})",
    "g_list_sep": "; ",
    "g_fig": "Figure {no}. Weighted share naming each grievance, with 95% confidence intervals",
    "g_legend_common": "Common grievance",
    "g_legend_other": "Other grievance",
    "axis_share": "Weighted share (%)",
    "h_intro": "By sector, {top} is widespread: highest in {hi} ({hi_v}), lowest in {lo} ({lo_v}).",
    "h_intro_one": "Figure {no} shows the main grievances by sector.",
    "h_fig": "Figure {no}. Weighted share naming the main grievances, by sector (%)",
    "h_note": "Note: “—” marks a sector with fewer than {k} respondents, or a cell withheld so that it cannot be derived.",
    "t_intro": "Compared with {prev}, {moves}.",
    "t_none_changed": "Compared with {prev}, no grievance changed significantly",
    "t_move_up": "“{label}” rose by {diff}",
    "t_move_down": "“{label}” fell by {diff}",
    "t_first": "This is the first wave: there is no earlier wave to compare with yet.",
    "t_fig": "Figure {no}. Trends of the main grievances (weighted share, 95% CI)",
    "t_note": "Note: quick surveys count only for grievances whose questions they share; significance is Benjamini–Hochberg adjusted.",
    "hs_intro": "In these groups the share naming a grievance is significantly higher than among other S&T workers (adjusted for multiple comparisons):",
    "hs_none": "No group stands out significantly in this wave.",
    "hs_group": "Group",
    "hs_grievance": "Grievance",
    "hs_there": "Group",
    "hs_rest": "Others",
    "hs_diff": "Difference (pp)",
    "q_intro": "Verbatim open answers of S&T workers (names, units and contact details removed; quoted in the original Chinese):",
    "q_by": "— an S&T worker, {sector}",
    "q_by_unknown": "— an S&T worker",
    "q_none": "No open answer of this wave can be quoted.",
    "a_intro": "For the leading common grievances, the survey suggests:",
    "a_item": "({no}) {area}.",
    "a_evidence": "{share} of respondents name “{label}”.",
    "a_none": "No grievance is common this time; we recommend continued monitoring.",
    "m_design": (
        "The survey ran online from {period} among the S&T workers of the units hosting the "
        "city's survey stations. {stations} stations took part, covering {sectors} kinds of "
        "unit and {regions} counties and districts; against a quota of {target}, {completes} "
        "valid questionnaires were returned ({completion} of the quota)."
    ),
    "m_response": (
        "{invitations} people were invited with one-time answer codes and {done} completed: a "
        "response rate of {rate}. Answers through the stations' open links are not counted in it."
    ),
    "m_response_none": "No answer codes were issued in this wave, so there is no response rate.",
    "m_sample": "After questionnaires of doubtful quality were set aside, {analysed} were analysed.",
    "m_weights": (
        "Base weights come from the number of S&T workers at each station's host unit; they "
        "were raked to the {year} population totals by {dims} and trimmed to {lo}–{hi} times "
        "the mean weight. The design effect of weighting is about {deff}."
    ),
    "m_weights_base": "Base weights come from the number of S&T workers at each station's host unit (no population totals were available for raking). The design effect of weighting is about {deff}.",
    "m_error": (
        "The largest sampling error of a whole-sample percentage is about ±{moe} percentage "
        "points (95% confidence). Every percentage is given with its 95% confidence interval and "
        "the number of respondents n, computed for the complex design (stations as primary "
        "sampling units, stratified by sector)."
    ),
    "m_change": "Changes since {prev} are tested as independent samples with the Benjamini–Hochberg correction for multiple comparisons.",
    "m_common": (
        "A grievance is common when it is prominent (named by at least {thr} or among the local "
        "top {top}) at more than half of the stations and sectors; breadth is the mean of the "
        "shares of such stations and sectors."
    ),
    "m_suppress": (
        "Figures based on fewer than {k} respondents are withheld (shown as “—”), together with "
        "any figure from which they could be derived; quotes are scrubbed of personal data and "
        "come only from stations with at least {k} respondents."
    ),
    "dims_join": ", ",
    "dim_sector": "sector",
    "dim_region": "region",
    "dim_sex": "sex",
    "dim_title": "professional title",
    "dim_age_group": "age group",
    "col_rank": "Rank",
    "col_code": "Code",
    "col_grievance": "Grievance",
    "col_share": "Share",
    "col_ci": "95% CI",
    "col_n": "n",
    "col_breadth": "Breadth",
    "col_change": "Change",
    "col_common": "Common",
    "yes": "yes",
    "suppressed": "—",
    "app_note": "Note: weighted shares; breadth from 0 to 1; change in percentage points, * significant after adjustment (p < 0.05).",
    "sr_title": "Station feedback report",
    "sr_s_progress": "1. Fieldwork at this station",
    "sr_s_grievances": "2. What this station's S&T workers raise",
    "sr_s_notes": "3. Notes",
    "sr_progress": (
        "As of {date} this station has {completes} valid questionnaires against a quota of "
        "{target} ({pct}); the average station has reached {city_pct}. {rank_clause}"
    ),
    "sr_rank": "It ranks {rank} of {count} stations by completion.",
    "sr_rate": "{invitations} people were invited with answer codes: a response rate of {rate}.",
    "sr_rate_none": "No answer codes were issued at this station.",
    "sr_chart": "Figure 1. Completes to date at this station against its quota",
    "sr_axis_completes": "Completes to date",
    "sr_target": "Quota",
    "sr_grievances": "The grievances this station's respondents raise most, beside the city-wide figures (weighted shares):",
    "sr_small": "Fewer than {k} respondents of this station were analysed: to protect them, its own figures are not shown. The city-wide grievances:",
    "sr_col_grievance": "Grievance",
    "sr_col_station": "This station",
    "sr_col_city": "City (95% CI)",
    "sr_chart2": "Figure 2. This station and the city compared (weighted share, %)",
    "sr_legend_station": "This station",
    "sr_legend_city": "City",
    "sr_notes": (
        "For this station's staff only; not for publication. City figures are weighted "
        "estimates; the station's shares rest on its own respondents, and figures resting on "
        "fewer than {k} respondents are withheld. Thank you for your work on the survey."
    ),
}

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

PHRASES = {"zh-hans": ZH, "en": EN}


class Phrases:
    """The wording of one edition: ``ph("key", **slots)``."""

    def __init__(self, language: str) -> None:
        if language not in PHRASES:
            raise ValueError(f"no briefing edition in {language!r}")
        self.language = language
        self.table = PHRASES[language]

    @property
    def is_zh(self) -> bool:
        return self.language == "zh-hans"

    def __call__(self, key: str, **slots: Any) -> str:
        return self.table[key].format(**slots)

    def label(self, labels: dict[str, str] | None) -> str:
        labels = labels or {}
        other = "en" if self.is_zh else "zh-hans"
        return labels.get(self.language) or labels.get(other) or ""

    def date(self, d: Any) -> str:
        return self("date", d=d, month=MONTHS[d.month - 1])

    def period(self, a: Any, b: Any) -> str:
        key = "period" if a.year == b.year else "period_years"
        return self(key, a=a, b=b, am=MONTHS[a.month - 1], bm=MONTHS[b.month - 1])
