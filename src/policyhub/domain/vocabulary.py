"""The code lists of the rulebook's vocabulary.md, with their Chinese and English labels.

Requests are checked against these lists: an unknown code is an INVALID_ARGUMENT naming the
field. Lists marked "added" are not in vocabulary.md; they collect the codes the rulebook's
rules use for that field, so that a misspelt level or channel is an error, not a silent miss.
"""

from __future__ import annotations


def _codes(**labels: tuple[str, str]) -> dict[str, tuple[str, str]]:
    return labels


ORGANIZATION_TYPES = _codes(
    village=("村", "village"),
    community=("社区", "community"),
    enterprise=("企业", "enterprise"),
    social_org=("新社会组织", "new social organization"),
    agency=("机关", "agency"),
    institution=("事业单位", "public institution"),
    street=("街道", "street"),
    town=("乡镇", "town"),
    farm=("场", "farm"),
    team=("队", "team"),
)

MEMBER_ROLES = _codes(
    leader_cadre=("党员领导干部", "leading cadre"),
    two_committees=("两委成员", "two-committee member"),
    village_secretary=("村党组织书记", "village party secretary"),
    branch_member=("村党支部班子成员", "branch committee member"),
    village_committee_member=("村委会成员", "village committee member"),
    supervisory_committee=("村务监督委员会成员", "supervisory committee member"),
    staff=("其他工作人员", "other staff"),
    retired=("离退休", "retired"),
    elderly_frail=("年老体弱", "elderly or frail"),
    low_literacy=("文化程度低", "low literacy"),
    mobile=("流动党员", "mobile member"),
    no_post=("无职党员", "member without post"),
    activist=("入党积极分子", "party activist"),
    non_party=("非党工作骨干/非党人员", "non-party"),
    grid_leader=("网格长", "grid leader"),
    # added: a ballot on a whole team names this role
    two_committees_team=("两委班子", "two-committee team"),
)

PLEDGE_CATEGORIES = _codes(
    common=("共性承诺", "common pledge"),
    post=("岗位承诺", "post pledge"),
    deed=("实事承诺", "practical deed pledge"),
    discipline=("自律承诺", "self-discipline pledge"),
    political=("政治承诺", "political pledge"),
    duty=("履职承诺", "duty pledge"),
    service=("服务承诺", "service pledge"),
    residence=("居住地承诺", "residence pledge"),
    integrity=("廉洁从政承诺", "integrity pledge"),
)

MEETING_TYPES = _codes(
    monthly_study=("每月学习例会", "monthly study meeting"),
    quarterly_special=("季度专题会议", "quarterly special meeting"),
    theme_party_day=("支部主题党日", "branch theme party day"),
    branch_committee=("支委会", "branch committee meeting"),
    general_assembly=("党员大会", "general assembly of members"),
    mobilization=("动员会", "mobilization meeting"),
    review_meeting=("述职述廉/述评会", "review meeting"),
    org_life=("组织生活会", "organizational life meeting"),
    self_inspection=("半年/年终自查", "self-inspection"),
    mid_year_review=("中期评估/半年小结", "mid-year review"),
    year_end_review=("年终考评", "year-end review"),
)

AGENDA_SEGMENTS = _codes(
    duty_report=("述职", "duty report"),
    integrity_report=("述廉", "integrity report"),
    pledge_fulfillment_report=("履诺情况报告", "pledge fulfilment report"),
    questions=("质询/提问", "questions"),
    answers=("当场解答", "answers on the spot"),
    discussion=("评议讨论", "discussion"),
    anonymous_vote=("无记名投票", "anonymous vote"),
    on_site_count=("当场计票", "count on the spot"),
    results_announced=("当场宣布结果", "results announced on the spot"),
    secretary_response=("书记答复", "secretary's response"),
    grid_reports=("听取网格长和党员汇报", "reports of grid leaders and members"),
    member_duty_reports=("党员述职", "members' duty reports"),
    democratic_evaluation=("民主测评", "democratic evaluation"),
    feedback=("结果反馈", "feedback of results"),
    study=("学习", "study"),
)

BALLOT_OPTIONS = _codes(
    excellent=("优秀", "excellent"),
    competent=("称职", "competent"),
    basically_competent=("基本称职", "basically competent"),
    incompetent=("不称职", "incompetent"),
    qualified=("合格", "qualified"),
    unqualified=("不合格", "unqualified"),
    basically_qualified=("基本合格", "basically qualified"),  # added: yuyao_2011 four_level (民主评议党员)
    good=("好", "good"),
    fairly_good=("较好", "fairly good"),
    average=("一般", "average"),
    poor=("差", "poor"),
)

CONSEQUENCES = _codes(
    warning_talk=("警示谈话", "warning talk"),
    admonition_talk=("诫勉谈话", "admonition talk"),
    reminder_talk=("约谈提醒", "reminder talk"),
    rectify_within_deadline=("限期整改", "rectify within a deadline"),
    team_adjustment=("按规定调整班子", "adjust the team as prescribed"),
    dismissal=("免职", "dismissal"),
    advise_resignation=("劝其辞职", "advise resignation"),
    recall_recommended=("建议按程序罢免", "recall recommended"),
    pay_reduction=("降发工资", "pay reduction"),
    performance_pay_linked=("与绩效工资挂钩", "linked to performance pay"),
    disqualified_from_awards=("取消评先评优资格", "disqualified from awards"),
    re_pledge_required=("重新提诺", "pledge again"),
    supervision_notice=("督办通知书", "supervision notice"),
    score_deduction=("考核扣分", "score deduction"),
    party_household_sign=("挂“共产党员户”牌", "“party member household” sign"),
    central_household_sign=("挂“共产党员中心户”牌", "“central party household” sign"),
    publish_results=("结果公示", "publish the results"),
)

GENDERS = _codes(male=("男", "male"), female=("女", "female"))

PLEDGERS = _codes(member=("党员", "member"), organization=("党组织", "organization"))

PREVIOUS_ITEM_STATUSES = _codes(
    done=("已完成", "done"),
    unfinished=("未完成", "unfinished"),
    cross_year=("跨年度", "cross-year"),
)

BALLOT_PURPOSES = _codes(evaluation=("民主测评", "evaluation"), selection=("评选", "selection"))

SUBJECT_KINDS = _codes(individual=("个人", "individual"), team=("班子", "team"))

ROUND_NAMES = _codes(
    village=("村述村评", "village"),
    town=("村述镇评", "town"),
    farm=("场评", "farm"),
    residents=("居民评议", "residents"),
    branch=("支部评议", "branch"),
    self=("个人自评", "self"),
    peer=("党员互评", "peer"),
    org=("党组织考评", "organization"),
    masses=("群众参评", "masses"),
)

AWARDS = _codes(
    central_household=("共产党员中心户", "central party household"),
    star_study=("学习之星", "study star"),
    star_industry=("产业之星", "industry star"),
    star_environment=("环境之星", "environment star"),
    star_service=("服务之星", "service star"),
    star_governance=("治理之星", "governance star"),
)

# added: review levels the rulebook's rules name (自己提、互相议、组织审 and the levels above); the
# vocabulary's organization types are levels too (a village committee's review is evaluated, and a
# pack decides whether it is the one it needs), so they are accepted.
REVIEW_LEVELS = {
    **ORGANIZATION_TYPES,
    **_codes(
        branch=("党支部", "branch"),
        superior=("上级党组织", "superior organization"),
        town=("乡镇党委", "town committee"),
        street=("街道党工委", "street committee"),
        district=("区委组织部", "district organization department"),
    ),
}

# added: publication channels the rulebook's rules name.
PUBLICATION_CHANNELS = _codes(
    bulletin_board=("公开栏", "bulletin board"),
    grid_board=("网格区域", "grid area board"),
    newspaper=("报纸", "newspaper"),
    window=("橱窗", "window"),
    website=("网站", "website"),
    online_signature=("网上签名", "online signature"),
    meeting=("会议", "meeting"),
    handbook=("手册", "handbook"),
    document=("文件", "document"),
)

# added: where a pledge's copies are filed (备案); as with review levels, any organization type too.
FILING_PLACES = {
    **ORGANIZATION_TYPES,
    **_codes(
        superior=("上级党组织", "superior organization"),
        workplace_org=("工作单位党组织", "workplace organization"),
        residence_org=("居住地党组织", "residence organization"),
        street=("街道党工委", "street committee"),
        branch=("党支部", "branch"),
    ),
}

# Who chairs a meeting (vocabulary "Chair roles"): any member role, or one of the four below. The
# list is open in this sense: a pack decides which of them may chair, and a code from this list is
# evaluated (town_shuangshu_2010.meeting.chair fires for a village secretary), never refused.
CHAIR_ROLES = {
    **{code: labels for code, labels in MEMBER_ROLES.items() if code != "two_committees_team"},  # a team chairs nothing
    **_codes(
        area_leader=("包片领导", "area leader"),
        liaison_cadre=("包村干部", "liaison cadre"),
        town_leader=("乡镇党政领导", "town leader"),
        secretary=("本组织书记", "secretary"),
    ),
}

SEVERITIES = ("error", "warning", "info")


def label(codes: dict[str, tuple[str, str]], code: str) -> dict[str, str]:
    """The {zh, en} label of a code; an unknown code labels itself."""
    zh, en = codes.get(code, (code, code))
    return {"zh": zh, "en": en}
