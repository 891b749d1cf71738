"""Generate samples/2023.xlsx: a realistic annual activity workbook of a city CPPCC (市政协).

The workbook has one sheet per register that perfscore reads, with the sheet names, headers and
vocabulary words declared in perfscore/inputformat.py:

    委员名单 (320 members), 提案, 社情民意, 信息采用, 调研报告, 会议出勤, 活动, 双五个一

The people and records are invented but shaped like a real year's registers. Each member has an
engagement level (履职积极性) that drives how often they propose, write, attend and take part,
so that scores under rules/default.yaml spread from 不称职 to 优秀. The sample also holds the
cases perfscore must handle on purpose:

* two members named 王伟 with different IDs; every register names these two by member ID;
* a member who joined on 2023-06-15 (no records before then, except one attendance row for the
  January plenary marked 缺席, as offices record by mistake) and one who left on 2023-09-30;
* individual, joint and collective proposals; merged proposals (并入案号); 重点/优秀 marks;
* information items adopted at several levels, one row and date per level, and 批示 rows;
* a merged title row above the header on 提案 and 会议出勤, as offices lay out their sheets.

All values are canonical: messy spellings are not this sample's concern. Everything is drawn
from random.Random(2023) and the workbook's creation date is fixed, so every run writes the
same bytes.

Usage: uv run python samples/make_sample.py [--out samples/2023.xlsx]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from perfscore.inputformat import SHEETS, VOCABULARIES

YEAR = 2023
SEED = 2023
FIRST_DAY = date(YEAR, 1, 1)
LAST_DAY = date(YEAR, 12, 31)
PLENARY_OPENING = date(YEAR, 1, 8)  # the year's plenary session (全体会议) opens and closes
PLENARY_CLOSING = date(YEAR, 1, 11)
DEFAULT_OUT = Path(__file__).with_name(f"{YEAR}.xlsx")

Row = dict[str, object]  # column key (as in perfscore.inputformat) -> value

# ---------------------------------------------------------------------------------------------
# Vocabulary of the invented city
# ---------------------------------------------------------------------------------------------

SECTOR_SEATS = {  # 界别 -> seats; member IDs are given out sector by sector
    "中共": 30,
    "民革": 14,
    "民盟": 22,
    "民建": 24,
    "民进": 18,
    "农工党": 16,
    "九三学社": 16,
    "无党派人士": 14,
    "经济界": 52,
    "教育界": 30,
    "医药卫生界": 30,
    "文化艺术界": 22,
    "农业界": 32,
}
COMMITTEES = (
    "提案委",
    "经济委",
    "农业农村委",
    "人口资源环境委",
    "教科卫体委",
    "社会和法制委",
    "文史委",
)
USUAL_COMMITTEE = {  # sectors whose members often sit on one committee
    "经济界": "经济委",
    "民建": "经济委",
    "教育界": "教科卫体委",
    "医药卫生界": "教科卫体委",
    "农业界": "农业农村委",
    "文化艺术界": "文史委",
    "农工党": "人口资源环境委",
    "民革": "社会和法制委",
}
STUDY_GROUPS = 14
WORK_GROUPS = 7
STANDING_SEATS = 32

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "上官", "司马")
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏飞志宏春梅海波雪峰林斌婷晓东亮"
    "俊晨颖浩宇博凯欣怡嘉琳雅思佳慧德兴福荣瑞祥庆云立新永清军民学忠振"
)
SHARED_NAME = "王伟"  # given to two members, so that registers must name them by ID

TOPICS = (
    "加快县域物流体系建设",
    "规范农村集体资产管理",
    "完善居家社区养老服务体系",
    "推进中小学课后服务提质增效",
    "加快老旧小区改造",
    "持续优化营商环境",
    "提升基层医疗卫生服务能力",
    "加强非物质文化遗产保护传承",
    "加强乡村振兴人才队伍建设",
    "完善新能源汽车充电设施布局",
    "推动河湖长制落到实处",
    "加强历史文化街区保护利用",
    "深化职业教育产教融合",
    "发展社区嵌入式托育服务",
    "完善农产品冷链物流体系",
    "加快数字经济发展",
    "促进科技成果转化",
    "推进生活垃圾分类",
    "加强校园周边食品安全监管",
    "提升城市防汛排涝能力",
    "推进背街小巷环境整治",
    "支持民营企业发展壮大",
    "破解中小微企业融资难题",
    "加强高标准农田建设",
    "发展壮大村级集体经济",
    "推进全域旅游发展",
    "加强未成年人心理健康教育",
    "完善城乡居民医保政策",
    "推进分级诊疗制度建设",
    "加强基层社会治理",
    "化解物业服务矛盾纠纷",
    "规范校外培训机构管理",
    "加强耕地保护",
    "推进农村人居环境整治",
    "提升公共文化服务水平",
    "加强文物保护利用",
    "发展县域特色产业",
    "推动制造业数字化转型",
    "加强重点人群就业帮扶",
    "完善公共交通线网",
    "缓解中心城区停车难",
    "推进政务服务一网通办",
    "加强农村留守老人关爱服务",
    "推进污水处理设施建设",
    "培育壮大专精特新企业",
    "加强知识产权保护",
    "推进普惠金融发展",
    "加强法治宣传教育",
    "完善多元化纠纷解决机制",
    "推进无障碍环境建设",
    "发展银发经济",
    "加强中医药传承创新",
    "提高乡村教师待遇",
    "推动义务教育优质均衡发展",
    "加强地方史料征集",
    "推进红色文化资源保护利用",
    "加强全民健身设施建设",
    "推进城市更新",
    "发展夜间经济",
    "加强食品安全追溯体系建设",
    "推进农业机械化",
    "提升农村公路养护水平",
    "加强森林防火",
    "推动绿色低碳发展",
    "加强电动自行车安全管理",
    "完善公共法律服务体系",
)
SUBJECTS = (  # what inspections, surveys and forums look at
    "全市重点项目建设",
    "高标准农田建设",
    "老旧小区改造",
    "河道综合治理",
    "乡村振兴示范村建设",
    "工业园区发展",
    "城市更新项目",
    "文旅融合发展",
    "养老服务机构运营",
    "义务教育学校建设",
    "基层医疗机构建设",
    "农村饮水安全",
    "优化营商环境",
    "中小企业纾困",
    "生态环境保护",
    "食品安全",
    "安全生产",
    "非遗传承保护",
)
TALK_PLACES = ("社区", "企业", "乡村", "学校", "机关", "医院", "园区")
READING_THEMES = (
    "人民政协理论",
    "中华优秀传统文化",
    "乡村振兴",
    "数字经济",
    "党史学习",
    "生态文明",
)
CHARITY_EVENTS = (
    "义诊进乡村",
    "捐资助学",
    "关爱留守儿童",
    "送法下乡",
    "文化惠民演出",
    "助农直播带货",
    "敬老院慰问",
)
SECTOR_EVENTS = ("界别协商座谈", "走访界别群众", "界别专题调研", "联系界别群众活动")
PLACE_STEMS = (
    "李家",
    "王庄",
    "桃园",
    "柳湾",
    "石桥",
    "河口",
    "青山",
    "杏花",
    "马坊",
    "双井",
    "东营",
    "西岗",
    "南湖",
    "北坡",
    "新民",
)
COMPANY_STEMS = ("华宇", "恒达", "金穗", "瑞丰", "天润", "鑫源", "宏昌", "盛泰", "佳禾", "远航")
COMPANY_TRADES = ("科技", "食品", "机械", "纺织", "农业", "新材料", "物流")

PROPOSAL_FORMS = {"个人": 0.42, "联名": 0.52, "集体": 0.06}
PROPOSAL_STATUSES = {"立案": 0.84, "不立案": 0.04, "并案": 0.09, "转社情民意": 0.03}
REPORT_OUTCOMES = {"提交": 0.65, "采用": 0.27, "批示": 0.08}
LEVELS = ("县", "市", "省", "全国")

PROPOSALS = 450
INFORMATION_ITEMS = 600
REPORTS = 120

# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------


@dataclass
class Member:
    member_id: str
    name: str
    sector: str
    committee: str
    study_group: str
    work_group: str
    engagement: float  # 0..1: how active the member is this year; drives every register
    standing: bool = False
    term_start: date | None = None
    term_end: date | None = None
    ref: str = ""  # how the registers name the member: the name, or the ID if the name is shared

    @property
    def first_day(self) -> date:
        return self.term_start or FIRST_DAY

    @property
    def last_day(self) -> date:
        return self.term_end or LAST_DAY

    @property
    def share_of_year(self) -> float:
        return ((self.last_day - self.first_day).days + 1) / ((LAST_DAY - FIRST_DAY).days + 1)

    def serves_on(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def make_roster(rng: random.Random) -> list[Member]:
    sectors = [sector for sector, seats in SECTOR_SEATS.items() for _ in range(seats)]
    names = make_names(rng, len(sectors))
    study_groups = spread(
        rng, [f"第{chinese_numeral(n)}学习组" for n in range(1, STUDY_GROUPS + 1)], len(sectors)
    )
    work_groups = spread(
        rng, [f"第{chinese_numeral(n)}工作组" for n in range(1, WORK_GROUPS + 1)], len(sectors)
    )
    members = [
        Member(
            member_id=f"{number:04d}",
            name=name,
            sector=sector,
            committee=choose_committee(rng, sector),
            study_group=study_group,
            work_group=work_group,
            engagement=draw_engagement(rng),
        )
        for number, (name, sector, study_group, work_group) in enumerate(
            zip(names, sectors, study_groups, work_groups, strict=True), start=1
        )
    ]
    *earlier, newest = members
    newest.term_start = date(YEAR, 6, 15)  # 增补委员: the newest member has the last ID
    for member in weighted_sample(rng, earlier, lambda m: 0.5 + m.engagement, STANDING_SEATS):
        member.standing = True
    ordinary = [m for m in earlier if not m.standing]
    namesakes = rng.sample(ordinary, 2)
    for member in namesakes:
        member.name = SHARED_NAME
    rng.choice([m for m in ordinary if m not in namesakes]).term_end = date(YEAR, 9, 30)
    name_counts = Counter(m.name for m in members)
    for member in members:
        member.ref = member.member_id if name_counts[member.name] > 1 else member.name
    return members


def make_names(rng: random.Random, how_many: int) -> list[str]:
    """Distinct names, common surnames more often; SHARED_NAME is kept out (it is given later)."""
    surname_weights = [1 / (rank + 4) for rank in range(len(SURNAMES))]
    names: list[str] = []
    taken = {SHARED_NAME}
    while len(names) < how_many:
        if rng.random() < 0.01:
            surname = rng.choice(COMPOUND_SURNAMES)
        else:
            surname = rng.choices(SURNAMES, weights=surname_weights)[0]
        given_length = 1 if rng.random() < 0.3 else 2
        name = surname + "".join(rng.choice(GIVEN_NAME_CHARS) for _ in range(given_length))
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def choose_committee(rng: random.Random, sector: str) -> str:
    if sector in USUAL_COMMITTEE and rng.random() < 0.5:
        return USUAL_COMMITTEE[sector]
    return rng.choice(COMMITTEES)


def draw_engagement(rng: random.Random) -> float:
    """Most members are fairly active; a few (挂名委员) do nothing all year but attend."""
    if rng.random() < 0.02:
        return 0.0
    return rng.betavariate(8, 3)


# ---------------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------------


def draw(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def weighted_sample(
    rng: random.Random, population: list, weight: Callable[[object], float], k: int
) -> list:
    """k distinct items, each likelier in proportion to weight(item) (Efraimidis–Spirakis).
    Items of weight 0 are never drawn."""
    keyed = [
        (rng.random() ** (1 / weight(item)), index)
        for index, item in enumerate(population)
        if weight(item) > 0
    ]
    chosen = sorted(keyed, reverse=True)[:k]
    return [population[index] for _, index in chosen]


def pick_members(
    rng: random.Random,
    members: list[Member],
    day: date,
    k: int,
    weight: Callable[[Member], float],
) -> list[Member]:
    """k members serving on `day`, each likelier in proportion to weight(member)."""
    return weighted_sample(rng, [m for m in members if m.serves_on(day)], weight, k)


REPEAT_WEIGHT = 0.25  # each earlier turn in a register multiplies the chance of another by this


class Rota:
    """Draws members for one register's records: active members likelier, and each time a
    member is drawn, a quarter as likely again, as offices invite members in turn."""

    def __init__(self, weight: Callable[[Member], float] = lambda m: m.engagement) -> None:
        self.weight = weight
        self.turns: Counter[str] = Counter()

    def pick(
        self,
        rng: random.Random,
        members: list[Member],
        day: date,
        k: int,
        affinity: Callable[[Member], float] = lambda m: 1.0,
    ) -> list[Member]:
        chosen = pick_members(
            rng,
            members,
            day,
            k,
            lambda m: self.weight(m) * affinity(m) * REPEAT_WEIGHT ** self.turns[m.member_id],
        )
        self.take_turn(chosen)
        return chosen

    def take_turn(self, members: list[Member]) -> None:
        self.turns.update(m.member_id for m in members)


def submissions(
    rng: random.Random,
    members: list[Member],
    total: int,
    weight: Callable[[Member], float],
    draw_day: Callable[[random.Random], date],
) -> list[tuple[date, Member]]:
    """`total` items as (date, lead author), in date order. Each member leads their fair share
    by weight and time in office, rounded down, and the items left over go to members drawn by
    the fractions cut off: how much members write follows their engagement more than luck."""
    total_weight = sum(weight(m) * m.share_of_year for m in members)
    fair = {m.member_id: total * weight(m) * m.share_of_year / total_weight for m in members}
    leads = [m for m in members for _ in range(int(fair[m.member_id]))]
    leads += weighted_sample(rng, members, lambda m: fair[m.member_id] % 1, total - len(leads))
    rng.shuffle(leads)
    return sorted(
        ((day_in_term(rng, lead, draw_day), lead) for lead in leads), key=lambda item: item[0]
    )


def day_in_term(
    rng: random.Random, member: Member, draw_day: Callable[[random.Random], date]
) -> date:
    day = draw_day(rng)
    while not member.serves_on(day):
        day = draw_day(rng)
    return day


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def spread(rng: random.Random, groups: list[str], how_many: int) -> list[str]:
    """Assign `how_many` people to groups of (nearly) equal size, in random order."""
    assigned = [groups[i % len(groups)] for i in range(how_many)]
    rng.shuffle(assigned)
    return assigned


def chinese_numeral(n: int) -> str:
    """1..99 -> 一 … 九十九 (十, 十四, 二十)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    tens_part = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return tens_part + (digits[ones] if ones else "")


# ---------------------------------------------------------------------------------------------
# 提案
# ---------------------------------------------------------------------------------------------


def make_proposals(rng: random.Random, members: list[Member]) -> list[Row]:
    """Numbered in order of submission: most during the plenary, the rest through the year."""
    rows = []
    leads = submissions(rng, members, PROPOSALS, lambda m: m.engagement**0.5, proposal_day)
    co_signers = Rota(lambda m: m.engagement**0.5)
    for number, (day, lead) in enumerate(leads, start=1):
        form = draw(rng, PROPOSAL_FORMS)
        rows.append(
            {
                "item_id": f"{YEAR}{number:03d}",
                "title": f"关于{rng.choice(TOPICS)}的提案",
                "date": day,
                "type": form,
                "members": proposers(rng, members, day, lead, form, co_signers),
                "status": draw(rng, PROPOSAL_STATUSES),
                "merged_into": "",
                "marks": "",
            }
        )
    filed = [row for row in rows if row["status"] == "立案"]
    for row in rows:
        if row["status"] == "并案":
            merge(rng, row, filed)
    for row in filed:
        row["marks"] = "、".join(proposal_marks(rng, row["members"][0]))
    return rows


def proposal_day(rng: random.Random) -> date:
    if rng.random() < 0.7:
        return random_day(rng, date(YEAR, 1, 3), PLENARY_CLOSING)
    return random_day(rng, date(YEAR, 2, 1), date(YEAR, 11, 30))


def proposers(
    rng: random.Random,
    members: list[Member],
    day: date,
    lead: Member,
    form: str,
    co_signers: Rota,
) -> list[Member]:
    """Lead first. Co-signers of a joint proposal often, and named authors of a collective
    (sector or party) proposal always, come from the lead's sector."""
    if form == "个人":
        return [lead]
    others = [m for m in members if m is not lead]
    if form == "联名":
        return [
            lead,
            *co_signers.pick(
                rng,
                others,
                day,
                rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 5)),
                affinity=lambda m: 4 if m.sector == lead.sector else 1,
            ),
        ]
    colleagues = [m for m in others if m.sector == lead.sector]
    return [lead, *co_signers.pick(rng, colleagues, day, rng.randint(0, 2))]


def merge(rng: random.Random, row: Row, filed: list[Row]) -> None:
    """A merged (并案) proposal joins a filed case on the same subject submitted about then."""
    about_then = [case for case in filed if abs((case["date"] - row["date"]).days) <= 31]
    case = rng.choice(about_then or filed)
    row["merged_into"] = case["item_id"]
    row["title"] = case["title"]


def proposal_marks(rng: random.Random, lead: Member) -> list[str]:
    marks = []
    if rng.random() < 0.04:
        marks.append("重点提案")
    if rng.random() < 0.06 * lead.engagement:
        marks.append("优秀提案")
    return marks


# ---------------------------------------------------------------------------------------------
# 社情民意 and 信息采用
# ---------------------------------------------------------------------------------------------

ADOPTION_NOTES = {
    "县": "报送县委、县政府参阅",
    "市": "市政协《社情民意》刊发",
    "省": "省政协《社情民意》采用",
    "全国": "全国政协采用",
}
INSTRUCTION_NOTES = {"市": "市委主要领导批示", "省": "省政府分管领导批示"}
ADOPTED = 0.25  # share of items adopted at least once
CLIMBS = {"县": 0.2, "市": 0.2, "省": 0.04}  # chance an adopted item is taken up one level higher
INSTRUCTED = 0.08  # chance that a 市 or 省 adoption draws a leader's instruction at that level


def make_information(rng: random.Random, members: list[Member]) -> tuple[list[Row], list[Row]]:
    """Items numbered in order of submission, and their adoption events in date order."""
    items, adoptions = [], []
    leads = submissions(
        rng,
        members,
        INFORMATION_ITEMS,
        lambda m: m.engagement**0.5,
        lambda rng: random_day(rng, date(YEAR, 1, 15), date(YEAR, 12, 10)),
    )
    writers = Rota()
    for number, (day, lead) in enumerate(leads, start=1):
        how_many = rng.choices((0, 1, 2), weights=(0.7, 0.2, 0.1))[0]
        writers.take_turn([lead])
        authors = [lead, *writers.pick(rng, [m for m in members if m is not lead], day, how_many)]
        item = {
            "item_id": f"X{YEAR}-{number:03d}",
            "title": f"关于{rng.choice(TOPICS)}的建议",
            "date": day,
            "members": authors,
        }
        items.append(item)
        adoptions += adoption_events(rng, item, min(m.last_day for m in authors))
    adoptions.sort(key=lambda row: (row["date"], row["item_id"]))
    return items, adoptions


def adoption_events(rng: random.Random, item: Row, deadline: date) -> list[Row]:
    """Some items are adopted; a few climb from level to level (县 → 市 → 省, rarely 全国), each
    adoption on its own later date; a few draw a leader's instruction (批示). Nothing is dated
    after `deadline` (the end of the year, or an author's leaving day)."""
    if rng.random() >= ADOPTED:
        return []
    level = rng.choices(range(3), weights=(0.35, 0.55, 0.10))[0]
    day = item["date"] + timedelta(days=rng.randint(7, 40))
    events = []
    while day <= deadline:
        events.append(adoption(item, "采用", LEVELS[level], day))
        if LEVELS[level] in INSTRUCTION_NOTES and rng.random() < INSTRUCTED:
            instructed = day + timedelta(days=rng.randint(3, 20))
            if instructed <= deadline:
                events.append(adoption(item, "批示", LEVELS[level], instructed))
        if LEVELS[level] not in CLIMBS or rng.random() >= CLIMBS[LEVELS[level]]:
            break
        level += 1
        day += timedelta(days=rng.randint(10, 45))
    return events


def adoption(item: Row, event: str, level: str, day: date) -> Row:
    note = INSTRUCTION_NOTES[level] if event == "批示" else ADOPTION_NOTES[level]
    return {"item_id": item["item_id"], "type": event, "level": level, "date": day, "note": note}


# ---------------------------------------------------------------------------------------------
# 调研报告
# ---------------------------------------------------------------------------------------------


def make_reports(rng: random.Random, members: list[Member]) -> list[Row]:
    rows = []
    leads = submissions(
        rng,
        members,
        REPORTS,
        lambda m: m.engagement**0.5,
        lambda rng: random_day(rng, date(YEAR, 3, 1), date(YEAR, 12, 15)),
    )
    writers = Rota()
    for number, (day, lead) in enumerate(leads, start=1):
        how_many = rng.choices((0, 1, 2, 3), weights=(0.1, 0.3, 0.3, 0.3))[0]
        writers.take_turn([lead])
        rows.append(
            {
                "item_id": f"D{YEAR}-{number:03d}",
                "title": f"关于{rng.choice(TOPICS)}的调研报告",
                "date": day,
                "members": [
                    lead,
                    *writers.pick(rng, [m for m in members if m is not lead], day, how_many),
                ],
                "status": draw(rng, REPORT_OUTCOMES),
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# 会议出勤
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    title: str
    type: str
    day: date
    committee: str = ""  # the committee that organises a consultation; its members are invited


MEETINGS = (
    Meeting("市政协十届常委会第五次会议", "常委会议", date(YEAR, 1, 5)),
    Meeting("市政协十届二次会议开幕大会", "全体会议", PLENARY_OPENING),
    Meeting("市政协十届二次会议闭幕大会", "全体会议", PLENARY_CLOSING),
    Meeting("双月座谈会：养老服务体系建设", "双月座谈会", date(YEAR, 2, 23), "社会和法制委"),
    Meeting("市政协十届常委会第六次会议", "常委会议", date(YEAR, 3, 28)),
    Meeting("优化营商环境专题协商会", "专题协商会", date(YEAR, 4, 20), "经济委"),
    Meeting("双月座谈会：文旅融合发展", "双月座谈会", date(YEAR, 4, 26), "文史委"),
    Meeting("市政协十届常委会第七次会议", "常委会议", date(YEAR, 5, 30)),
    Meeting("全面推进乡村振兴专题协商会", "专题协商会", date(YEAR, 6, 20), "农业农村委"),
    Meeting("市政协十届常委会第八次会议", "常委会议", date(YEAR, 7, 27)),
    Meeting("生态环境保护专题协商会", "专题协商会", date(YEAR, 8, 24), "人口资源环境委"),
    Meeting("双月座谈会：提升基层医疗服务能力", "双月座谈会", date(YEAR, 8, 29), "教科卫体委"),
    Meeting("市政协十届常委会第九次会议", "常委会议", date(YEAR, 9, 26)),
    Meeting("教育高质量发展专题协商会", "专题协商会", date(YEAR, 10, 19), "教科卫体委"),
    Meeting("双月座谈会：提高提案办理质量", "双月座谈会", date(YEAR, 11, 23), "提案委"),
    Meeting("市政协十届常委会第十次会议", "常委会议", date(YEAR, 12, 19)),
)
PLENARY_TRUANTS = 5  # members with unexcused absence from the plenary
TRUANT_STATUSES = {PLENARY_OPENING: ("缺席", "请假未批准"), PLENARY_CLOSING: ("缺席", "出席")}


def make_attendance(rng: random.Random, members: list[Member]) -> list[Row]:
    """One row per invited member per meeting, in meeting order then member ID order."""
    serving_all_year = [
        m for m in members if m.term_start is None and m.term_end is None and not m.standing
    ]
    truants = pick_members(
        rng,
        serving_all_year,
        PLENARY_OPENING,
        PLENARY_TRUANTS,
        weight=lambda m: (1 - m.engagement) ** 3,
    )
    newest = members[-1]
    rows = []
    for meeting in MEETINGS:
        for member in invited(rng, meeting, members):
            if member in truants and meeting.type == "全体会议":
                status = rng.choice(TRUANT_STATUSES[meeting.day])
            else:
                status = attendance_status(rng, member, meeting)
            rows.append(attendance_row(meeting, member, status))
        if meeting.day == PLENARY_OPENING:  # recorded by mistake: not yet a member then
            rows.append(attendance_row(meeting, newest, "缺席"))
    return rows


def invited(rng: random.Random, meeting: Meeting, members: list[Member]) -> list[Member]:
    serving = [m for m in members if m.serves_on(meeting.day)]
    if meeting.type == "全体会议":
        return serving
    if meeting.type == "常委会议":
        return [m for m in serving if m.standing]
    return [
        m for m in serving if rng.random() < (0.7 if m.committee == meeting.committee else 0.05)
    ]


def attendance_status(rng: random.Random, member: Member, meeting: Meeting) -> str:
    slack = 1 - member.engagement
    chances = {
        "请假": 0.03 + 0.12 * slack,
        "迟到": 0.01,
        "早退": 0.01,
        "请假未批准": 0.01 * slack if meeting.type != "全体会议" else 0,
        "缺席": 0.04 * slack**2 if meeting.type != "全体会议" else 0,
    }
    roll = rng.random()
    for status, chance in chances.items():
        if roll < chance:
            return status
        roll -= chance
    return "出席"


def attendance_row(meeting: Meeting, member: Member, status: str) -> Row:
    return {
        "title": meeting.title,
        "type": meeting.type,
        "date": meeting.day,
        "members": member,
        "status": status,
    }


# ---------------------------------------------------------------------------------------------
# 活动
# ---------------------------------------------------------------------------------------------

EVENT_PLAN = {  # activity type -> (events, fewest and most participants)
    "视察": (40, 8, 18),
    "调研": (70, 4, 10),
    "民主监督": (30, 5, 12),
    "座谈": (45, 6, 14),
    "宣讲": (50, 1, 4),
    "读书": (30, 8, 18),
    "公益": (30, 4, 12),
}
TRAINING_COURSES = 20
SECTOR_EVENTS_EACH = 4


def make_activities(rng: random.Random, members: list[Member], attendance: list[Row]) -> list[Row]:
    rows = [
        *planned_events(rng, members),
        *trainings(rng, members),
        *sector_events(rng, members),
        *speeches(rng, attendance),
    ]
    rows.sort(key=lambda row: row["date"])
    return rows


def planned_events(rng: random.Random, members: list[Member]) -> list[Row]:
    rows = []
    invitees = Rota(lambda m: m.engagement**0.5)
    for activity, (events, fewest, most) in EVENT_PLAN.items():
        for _ in range(events):
            day = random_day(rng, date(YEAR, 2, 1), date(YEAR, 12, 20))
            rows.append(
                activity_row(
                    event_title(rng, activity),
                    activity,
                    day,
                    invitees.pick(rng, members, day, rng.randint(fewest, most)),
                )
            )
    return rows


def event_title(rng: random.Random, activity: str) -> str:
    subject = rng.choice(SUBJECTS)
    return {
        "视察": f"{subject}专题视察",
        "调研": f"{subject}专题调研",
        "民主监督": f"{subject}民主监督",
        "座谈": f"{subject}座谈会",
        "宣讲": f"党的二十大精神进{rng.choice(TALK_PLACES)}宣讲",
        "读书": f"委员读书活动：{rng.choice(READING_THEMES)}",
        "公益": rng.choice(CHARITY_EVENTS),
    }[activity]


def trainings(rng: random.Random, members: list[Member]) -> list[Row]:
    """Each course is two rows: who attended all of it (全程) and who attended part (部分)."""
    rows = []
    trainees_so_far = Rota()
    for number in range(1, TRAINING_COURSES + 1):
        title = f"{YEAR}年委员履职能力培训班（第{chinese_numeral(number)}期）"
        day = random_day(rng, date(YEAR, 3, 1), date(YEAR, 11, 30))
        trainees = trainees_so_far.pick(rng, members, day, rng.randint(25, 40))
        partial = rng.randint(3, 8)
        rows.append(activity_row(title, "培训", day, trainees[partial:], "全程"))
        rows.append(activity_row(title, "培训", day, trainees[:partial], "部分"))
    return rows


def sector_events(rng: random.Random, members: list[Member]) -> list[Row]:
    rows = []
    for sector in SECTOR_SEATS:
        colleagues = [m for m in members if m.sector == sector]
        invitees = Rota()
        for _ in range(SECTOR_EVENTS_EACH):
            day = random_day(rng, date(YEAR, 2, 1), date(YEAR, 12, 20))
            how_many = rng.randint(len(colleagues) // 4, len(colleagues) // 2)
            rows.append(
                activity_row(
                    f"{sector}{rng.choice(SECTOR_EVENTS)}",
                    "界别活动",
                    day,
                    invitees.pick(rng, colleagues, day, how_many),
                )
            )
    return rows


def speeches(rng: random.Random, attendance: list[Row]) -> list[Row]:
    """Speakers at the plenary and at consultations are drawn from those who came."""
    rows = []
    for meeting in MEETINGS:
        if meeting.type == "常委会议":
            continue
        present = [
            row["members"]
            for row in attendance
            if row["title"] == meeting.title and row["status"] in ("出席", "迟到", "早退")
        ]
        plenary = meeting.type == "全体会议"
        oral = weighted_sample(
            rng,
            present,
            lambda m: m.engagement,
            rng.randint(6, 9) if plenary else rng.randint(3, 6),
        )
        rest = [m for m in present if m not in oral]
        written = weighted_sample(
            rng,
            rest,
            lambda m: m.engagement**0.5,
            rng.randint(50, 70) if plenary else rng.randint(3, 8),
        )
        rows.append(activity_row(f"{meeting.title}口头发言", "发言", meeting.day, oral, "口头"))
        rows.append(activity_row(f"{meeting.title}书面发言", "发言", meeting.day, written, "书面"))
    return rows


def activity_row(
    title: str, activity: str, day: date, participants: list[Member], form: str = ""
) -> Row:
    return {"title": title, "type": activity, "subtype": form, "date": day, "members": participants}


# ---------------------------------------------------------------------------------------------
# 双五个一
# ---------------------------------------------------------------------------------------------

DUTY_ITEMS = tuple(VOCABULARIES["duty_item"].words)
# Which other registers also meet an item (mirrors the checklist in rules/default.yaml).
MET_ELSEWHERE = {
    "提一案": ("proposals", ""),
    "撰写一篇调研报告": ("reports", ""),
    "提交一条社情民意信息": ("information", ""),
    "参加一次履职培训": ("activities", "培训"),
    "开展一次政策宣讲": ("activities", "宣讲"),
    "献一策": ("activities", "发言"),
}
DUTY_CONTENT = {
    "践一诺": "公开承诺年内走访联系{company}等企业不少于4家",
    "献一策": "就{topic}向市有关部门提出书面建议",
    "提一案": "提交《关于{topic}的提案》",
    "联一村": "联系{village}，协调解决村道硬化和灌溉用水问题",
    "帮一企": "帮助{company}对接金融机构，解决流动资金困难",
    "参加一次履职培训": "参加市政协委员履职能力培训",
    "撰写一篇调研报告": "撰写《关于{topic}的调研报告》",
    "提交一条社情民意信息": "报送《关于{topic}的建议》",
    "开展一次政策宣讲": "到{village}宣讲党的二十大精神",
    "讲好一个履职故事": "讲述联系{village}群众、推动{topic}的履职故事",
}


def make_duties(
    rng: random.Random, members: list[Member], registers: dict[str, list[Row]]
) -> list[Row]:
    """Each member's 双五个一 entries. A member's completion target follows their engagement
    (about a third complete all ten); the items other registers already meet count towards it,
    and the rest are recorded here, plus some entries members report besides."""
    met = items_met_elsewhere(registers)
    ranked = sorted(members, key=lambda m: m.engagement + rng.gauss(0, 0.1), reverse=True)
    rows = []
    for rank, member in enumerate(ranked):
        done_elsewhere = met.get(member.member_id, [])
        missing = [item for item in DUTY_ITEMS if item not in done_elsewhere]
        rng.shuffle(missing)
        to_record = missing[
            : max(0, completion_target(rng, rank / len(ranked)) - len(done_elsewhere))
        ]
        to_record += [item for item in done_elsewhere if rng.random() < 0.25]
        for item in sorted(to_record, key=DUTY_ITEMS.index):
            rows.append(
                {
                    "members": member,
                    "type": item,
                    "date": random_day(rng, member.first_day, member.last_day),
                    "title": duty_content(rng, item),
                }
            )
    rows.sort(key=lambda row: (row["members"].member_id, DUTY_ITEMS.index(row["type"])))
    return rows


def items_met_elsewhere(registers: dict[str, list[Row]]) -> dict[str, list[str]]:
    """member ID -> the 双五个一 items that records in other registers meet."""
    met: dict[str, list[str]] = {}
    for item, (register, activity) in MET_ELSEWHERE.items():
        for row in registers[register]:
            if activity and row["type"] != activity:
                continue
            for member in row["members"]:
                if item not in met.setdefault(member.member_id, []):
                    met[member.member_id].append(item)
    return met


def completion_target(rng: random.Random, share_ranked_above: float) -> int:
    """How many items a member aims to complete, by the share of members more engaged."""
    if share_ranked_above < 0.35:
        return len(DUTY_ITEMS)
    if share_ranked_above < 0.88:
        return rng.randint(6, 9)
    if share_ranked_above < 0.98:
        return rng.randint(2, 5)
    return 0


def duty_content(rng: random.Random, item: str) -> str:
    return DUTY_CONTENT[item].format(
        topic=rng.choice(TOPICS),
        village=f"{rng.choice(PLACE_STEMS)}村",
        company=f"{rng.choice(COMPANY_STEMS)}{rng.choice(COMPANY_TRADES)}有限公司",
    )


# ---------------------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------------------

SHEET_TITLES = {
    "proposals": f"{YEAR}年度委员提案登记表",
    "attendance": f"{YEAR}年度委员会议出勤登记表",
}
COLUMN_WIDTHS = {"id": 11, "date": 12, "names": 30, "member": 10, "flag": 6, "choice": 11}
WIDE_TEXT_COLUMNS = {"title": 44, "note": 24}


def make_registers(rng: random.Random) -> dict[str, list[Row]]:
    """Every register by sheet key; 双五个一 last, as it completes what the others leave open."""
    members = make_roster(rng)
    information, adoptions = make_information(rng, members)
    attendance = make_attendance(rng, members)
    registers = {
        "roster": [roster_row(m) for m in members],
        "proposals": make_proposals(rng, members),
        "information": information,
        "adoptions": adoptions,
        "reports": make_reports(rng, members),
        "attendance": attendance,
        "activities": make_activities(rng, members, attendance),
    }
    registers["duties"] = make_duties(rng, members, registers)
    return registers


def roster_row(member: Member) -> Row:
    return {
        "member_id": member.member_id,
        "name": member.name,
        "sector": member.sector,
        "committee": member.committee,
        "study_group": member.study_group,
        "work_group": member.work_group,
        "standing": "是" if member.standing else "否",
        "term_start": member.term_start or "",
        "term_end": member.term_end or "",
    }


def write_workbook(path: Path, registers: dict[str, list[Row]]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"title": f"{YEAR}年度委员履职登记", "created": datetime(YEAR, 12, 31)})
    formats = {
        "title": workbook.add_format(
            {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
        ),
        "header": workbook.add_format(
            {"bold": True, "align": "center", "bg_color": "#DDEBF7", "border": 1}
        ),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for sheet in SHEETS:
        worksheet = workbook.add_worksheet(sheet.name)
        header_row = 0
        if sheet.key in SHEET_TITLES:
            worksheet.merge_range(
                0, 0, 0, len(sheet.columns) - 1, SHEET_TITLES[sheet.key], formats["title"]
            )
            worksheet.set_row(0, 24)
            header_row = 1
        for index, column in enumerate(sheet.columns):
            width = WIDE_TEXT_COLUMNS.get(column.key) or COLUMN_WIDTHS.get(column.kind, 12)
            worksheet.set_column(index, index, width)
            worksheet.write_string(header_row, index, column.header, formats["header"])
        worksheet.freeze_panes(header_row + 1, 0)
        for offset, row in enumerate(registers[sheet.key], start=header_row + 1):
            for index, column in enumerate(sheet.columns):
                write_cell(worksheet, offset, index, row.get(column.key, ""), formats["date"])
    workbook.close()


def write_cell(
    worksheet: Worksheet, row: int, col: int, value: object, date_format: Format
) -> None:
    if isinstance(value, date):
        worksheet.write_datetime(
            row, col, datetime(value.year, value.month, value.day), date_format
        )
    elif value not in ("", None, []):
        worksheet.write_string(row, col, cell_text(value))


def cell_text(value: object) -> str:
    if isinstance(value, Member):
        return value.ref
    if isinstance(value, list):
        return "、".join(cell_text(v) for v in value)
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"workbook to write (default: {DEFAULT_OUT.name} beside this script)",
    )
    args = parser.parse_args()
    registers = make_registers(random.Random(SEED))
    write_workbook(args.out, registers)
    sizes = "，".join(f"{sheet.name} {len(registers[sheet.key])} 行" for sheet in SHEETS)
    print(f"已写入 {args.out}：{sizes}")


if __name__ == "__main__":
    main()
