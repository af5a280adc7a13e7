"""The categories a county starts with (a plain constant: the migration imports it too)."""

DEFAULT_CATEGORIES = [
    ("dispute", "neighbour", "邻里纠纷"),
    ("dispute", "marriage_family", "婚姻家庭纠纷"),
    ("dispute", "land_forest", "山林土地纠纷"),
    ("dispute", "homestead", "宅基地纠纷"),
    ("dispute", "labour_wages", "劳资纠纷"),
    ("dispute", "debt", "债权债务纠纷"),
    ("dispute", "traffic_accident", "交通事故纠纷"),
    ("dispute", "medical", "医疗纠纷"),
    ("dispute", "requisition", "征地拆迁纠纷"),
    ("dispute", "property_management", "物业纠纷"),
    ("dispute", "dispute_other", "其他纠纷"),
    ("hazard", "fire", "消防安全隐患"),
    ("hazard", "road", "道路交通隐患"),
    ("hazard", "drowning", "防溺水隐患"),
    ("hazard", "geological", "地质灾害隐患"),
    ("hazard", "building", "房屋安全隐患"),
    ("hazard", "hazard_other", "其他隐患"),
    ("illegal_tip", "illegal_tip", "违法犯罪线索"),
    ("key_person", "key_person", "重点人员动态"),
]
