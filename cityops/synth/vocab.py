"""Words the synthetic city is made of: names, roads, districts, schools, employers."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from cityops.settings import PROJECT_ROOT

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞辉建国志晨宇浩然欣怡梓涵子轩雨桐"
    "思远嘉怡俊杰文博一鸣心怡佳琪晓东海燕春梅秋菊冬雪立新永红卫东振华德明世杰家豪天佑若曦诗雨"
)

#: GB/T 2260 district codes with the centre of each district (approximate, WGS84).
DISTRICTS: dict[str, tuple[str, float, float]] = {
    "310101": ("黄浦区", 121.484, 31.223),
    "310104": ("徐汇区", 121.437, 31.179),
    "310105": ("长宁区", 121.424, 31.220),
    "310106": ("静安区", 121.448, 31.229),
    "310107": ("普陀区", 121.396, 31.249),
    "310109": ("虹口区", 121.505, 31.265),
    "310110": ("杨浦区", 121.526, 31.260),
    "310112": ("闵行区", 121.382, 31.112),
    "310113": ("宝山区", 121.489, 31.405),
    "310114": ("嘉定区", 121.266, 31.375),
    "310115": ("浦东新区", 121.545, 31.222),
    "310116": ("金山区", 121.342, 30.742),
    "310117": ("松江区", 121.228, 31.032),
    "310118": ("青浦区", 121.124, 31.151),
    "310120": ("奉贤区", 121.474, 30.917),
    "310151": ("崇明区", 121.397, 31.623),
}
COASTAL_DISTRICTS = {"310115", "310113", "310116", "310120", "310151"}
#: Relative population weight per district (central districts are denser).
DISTRICT_WEIGHTS = {
    "310101": 0.6,
    "310104": 1.1,
    "310105": 0.7,
    "310106": 1.0,
    "310107": 1.0,
    "310109": 0.7,
    "310110": 1.1,
    "310112": 2.6,
    "310113": 2.2,
    "310114": 1.8,
    "310115": 5.6,
    "310116": 0.8,
    "310117": 1.9,
    "310118": 1.2,
    "310120": 1.1,
    "310151": 0.7,
}
#: Building density weight per district (curtain walls cluster in the centre and Pudong).
BUILDING_WEIGHTS = {
    "310101": 2.0,
    "310104": 1.6,
    "310105": 1.2,
    "310106": 1.8,
    "310107": 0.8,
    "310109": 0.8,
    "310110": 0.9,
    "310112": 1.2,
    "310113": 0.7,
    "310114": 0.6,
    "310115": 3.0,
    "310116": 0.3,
    "310117": 0.6,
    "310118": 0.5,
    "310120": 0.4,
    "310151": 0.2,
}
#: Region codes of persons born outside Shanghai.
OTHER_REGIONS = [320102, 330106, 340104, 420106, 510104, 410105, 370102, 360102, 430102, 130102]

ROAD_STEMS = list(
    [
        "淮海",
        "南京",
        "延安",
        "漕溪",
        "虹桥",
        "中山",
        "四川",
        "天目",
        "肇嘉浜",
        "衡山",
        "复兴",
        "长乐",
        "巨鹿",
        "武康",
        "瑞金",
        "陕西",
        "江苏",
        "华山",
        "凯旋",
        "宜山",
        "龙华",
        "田林",
        "钦州",
        "桂林",
        "柳州",
        "虹梅",
        "古美",
        "莘庄",
        "七宝",
        "吴中",
        "宛平",
        "天钥桥",
        "零陵",
        "东安",
        "斜土",
        "打浦",
        "鲁班",
        "局门",
        "西藏",
        "浙江",
        "福建",
        "山东",
        "河南",
        "江西",
        "湖北",
        "广东",
        "北京",
        "九江",
        "汉口",
        "福州",
        "宁波",
        "世纪",
        "张杨",
        "浦电",
        "东方",
        "峨山",
        "崂山",
        "源深",
        "羽山",
        "锦绣",
        "花木",
        "龙阳",
        "金科",
        "祖冲之",
        "张江",
        "川沙",
        "共和新",
        "场中",
        "汶水",
        "广中",
        "大连",
        "四平",
        "国定",
        "政通",
        "五角场",
        "黄兴",
        "控江",
        "长阳",
        "隆昌",
        "平凉",
        "曹杨",
        "真北",
        "金沙江",
        "武宁",
        "中潭",
        "大渡河",
        "光复",
        "万航渡",
        "定西",
        "仙霞",
        "古北",
        "遵义",
        "天山",
        "北新泾",
        "牡丹江",
        "友谊",
        "同济",
        "宝杨",
        "淞滨",
        "罗店",
        "沪太",
        "城中",
        "博乐",
        "塔城",
        "清河",
        "叶城",
        "新郁",
        "墨玉",
        "人民",
        "园中",
        "荣乐",
        "新松江",
        "文诚",
        "中辰",
        "乐都",
        "谷阳",
        "城中",
        "华青",
        "公园",
        "盈港",
        "南奉",
        "解放",
        "南桥",
        "金海",
        "环城",
        "八一",
        "石化",
        "卫零",
        "朱泾",
        "城桥",
        "八一",
        "东门",
        "新河",
        "陈家",
        "堡镇",
        "南门",
    ]
)
ROAD_SUFFIXES = ["路", "路", "路", "街", "大道"]

UNIVERSITIES = [
    "复旦大学",
    "上海交通大学",
    "同济大学",
    "华东师范大学",
    "上海财经大学",
    "华东理工大学",
    "东华大学",
    "上海大学",
    "上海外国语大学",
    "华东政法大学",
    "上海理工大学",
    "上海师范大学",
    "上海海事大学",
    "上海电力大学",
    "上海应用技术大学",
    "上海工程技术大学",
    "上海健康医学院",
    "上海出版印刷高等专科学校",
    "上海城建职业学院",
    "上海电子信息职业技术学院",
]
DEGREES = ["专科", "本科", "本科", "本科", "硕士", "博士"]
MAJORS = [
    "计算机科学与技术",
    "软件工程",
    "会计学",
    "金融学",
    "机械工程",
    "土木工程",
    "护理学",
    "汉语言文学",
    "英语",
    "法学",
    "市场营销",
    "电子信息工程",
    "数据科学与大数据技术",
    "物流管理",
    "临床医学",
    "化学工程与工艺",
    "环境工程",
    "视觉传达设计",
    "社会工作",
    "数学与应用数学",
]
OUTSIDE_ORIGINS = ["江苏省", "浙江省", "安徽省", "湖北省", "四川省", "河南省", "山东省", "江西省"]
PROPERTY_MANAGERS = [
    "上海陆家嘴物业管理有限公司",
    "上海东湖物业管理有限公司",
    "上海科瑞物业管理发展有限公司",
    "上海百联物业管理有限公司",
    "上海锦江物业管理有限公司",
    "上海徐房物业管理有限公司",
]
BUILDING_WORDS = ["大厦", "中心", "广场", "国际大厦", "商务楼", "金融中心", "科技大楼", "酒店"]
BILLBOARD_OWNERS = [
    "上海申通广告有限公司",
    "上海新世界广告有限公司",
    "上海第一百货广告有限公司",
    "上海南京路步行街广告有限公司",
]


@dataclass(frozen=True)
class Street:
    code: str
    name: str
    district_code: str

    @property
    def district_name(self) -> str:
        return DISTRICTS[self.district_code][0]


@lru_cache(maxsize=1)
def streets() -> list[Street]:
    """Shanghai's real streets and towns (reference data shipped as a dbt seed)."""
    path = PROJECT_ROOT / "dbt_project" / "seeds" / "ref_shanghai_streets.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Street(r["street_code"], r["street_name"], r["district_code"])
        for r in rows
        if r["district_code"] in DISTRICTS
    ]


def roads_for(street_index: int, count: int = 6) -> list[str]:
    """Road names of a street: deterministic and distinct within the street."""
    names: list[str] = []
    i = street_index * 7
    while len(names) < count:
        stem = ROAD_STEMS[i % len(ROAD_STEMS)]
        suffix = ROAD_SUFFIXES[(i // len(ROAD_STEMS)) % len(ROAD_SUFFIXES)]
        name = stem + suffix
        if name not in names:
            names.append(name)
        i += 1
    return names
