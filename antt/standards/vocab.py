"""Vocabularies the criteria read: incident categories, gravity, ratings, discipline. Pure."""

from __future__ import annotations

INCIDENT_CATEGORIES: dict[str, str] = {
    "anti_party_anti_state": "hoạt động chống Đảng, chống chính quyền, phá hoại khối đại đoàn kết",
    "sabotage_key_targets": "phá hoại mục tiêu, công trình trọng điểm",
    "unlawful_religion_propagation": "tuyên truyền, phát triển tín ngưỡng, tôn giáo trái pháp luật",
    "exploiting_religion_ethnicity_complaints": (
        "lợi dụng tín ngưỡng, tôn giáo, dân tộc, tranh chấp, khiếu kiện gây phức tạp về ANTT"
    ),
    "separatism": "hoạt động ly khai, đòi tự trị",
    "prolonged_internal_dispute": "mâu thuẫn, tranh chấp phức tạp, kéo dài trong nội bộ Nhân dân",
    "mass_complaint_incitement": "kích động, lôi kéo tụ tập đông người khiếu kiện, gây rối",
    "illegal_strike_go_slow": "đình công, lãn công trái pháp luật",
    "crime": "tội phạm",
    "state_secret_violation": "vi phạm quy định bảo vệ bí mật nhà nước",
    "serious_fire_explosion": "cháy, nổ nghiêm trọng",
    "fatal_work_accident": "tai nạn lao động chết người",
    "serious_incident": "sự cố nghiêm trọng",
    "serious_environment_food_safety_violation": (
        "vi phạm về môi trường, an toàn thực phẩm gây hậu quả nghiêm trọng"
    ),
    "staff_antt_fine_or_social_evil": (
        "cán bộ, người lao động bị xử phạt hành chính về ANTT hoặc mắc tệ nạn xã hội"
    ),
    "school_violence": "bạo lực học đường",
    "member_crime": "cán bộ, người dạy, người học phạm tội",
    "member_social_evil": "cán bộ, người dạy, người học mắc tệ nạn xã hội",
}

# Penal Code 2015, Art. 9: “nghiêm trọng trở lên” is rank 2 and above.
CRIME_GRAVITY: dict[str, tuple[int, str]] = {
    "less_serious": (1, "ít nghiêm trọng"),
    "serious": (2, "nghiêm trọng"),
    "very_serious": (3, "rất nghiêm trọng"),
    "especially_serious": (4, "đặc biệt nghiêm trọng"),
}

# Performance ratings and emulation titles on one ordered scale (“… trở lên” compares ranks).
RATINGS: dict[str, tuple[int, str]] = {
    "not_completed": (0, "Không hoàn thành nhiệm vụ"),
    "completed": (1, "Hoàn thành nhiệm vụ"),
    "good": (2, "Hoàn thành tốt nhiệm vụ"),
    "advanced_collective": (2, "Tập thể lao động tiên tiến"),
    "advanced_unit": (2, "Đơn vị tiên tiến"),
    "excellent": (3, "Hoàn thành xuất sắc nhiệm vụ"),
    "excellent_collective": (3, "Tập thể lao động xuất sắc"),
}
NOT_RATED = "not_eligible"  # the force is not in the emulation scheme: “where eligible”

# Discipline forms by severity. Regimes differ (the Labour Code has no “cảnh cáo”); a deferral of
# salary raise ranks with a warning, so “từ cảnh cáo trở lên” catches it (documented choice).
DISCIPLINE_LEVELS: dict[str, tuple[int, str]] = {
    "reprimand": (1, "khiển trách"),
    "warning": (2, "cảnh cáo"),
    "salary_raise_deferral": (2, "kéo dài thời hạn nâng lương"),
    "salary_downgrade": (3, "hạ bậc lương"),
    "demotion": (4, "giáng chức"),
    "removal_from_post": (5, "cách chức"),
    "dismissal": (6, "buộc thôi việc, sa thải"),
}

DISCIPLINE_GROUPS: dict[str, str] = {
    "grassroots_force": "lực lượng tham gia bảo đảm ANTT ở cơ sở",
    "commune_police": "Công an xã, phường, đặc khu",
    "protection_force": "lực lượng bảo vệ",
    "staff": "cán bộ, công chức, viên chức, người lao động",
    "teacher": "người dạy",
    "learner": "người học",
}

RULE_TOPICS: dict[str, str] = {
    "unit_protection": "bảo vệ cơ quan, doanh nghiệp, cơ sở giáo dục",
    "state_secrets": "bảo vệ bí mật nhà nước",
    "internal_politics": "bảo vệ chính trị nội bộ",
    "labour_safety": "an toàn lao động",
    "fire_safety": "phòng cháy, chữa cháy, nổ",
    "environment": "bảo vệ môi trường",
    "learner_management": "quản lý, giáo dục người học",
}

KIND_LABELS: dict[str, str] = {
    "residential_area": "khu dân cư",
    "commune": "xã, phường, đặc khu",
    "agency": "cơ quan",
    "enterprise": "doanh nghiệp",
    "school": "cơ sở giáo dục",
}
