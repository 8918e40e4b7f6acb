"""Seed the authority table: Art. 9–10 of TT 124 until 30/06/2025, then the documented reading
for the two-tier government (unconfirmed until TT 48/2025's text is known)."""

import datetime as dt

from django.db import migrations

END = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)
TT124 = "TT 124/2021/TT-BCA, Điều 9, 10"
AFTER = "TT 124/2021/TT-BCA (sửa đổi bởi TT 48/2025/TT-BCA) — cách hiểu của dự án, chờ xác nhận"

BCD_XA = (
    "Thường trực Ban Chỉ đạo phòng, chống tội phạm, tệ nạn xã hội và xây dựng phong trào toàn dân "
    "bảo vệ an ninh Tổ quốc cấp xã"
)
BCD_HUYEN = BCD_XA.replace("cấp xã", "cấp huyện")
BCD_TINH = BCD_XA.replace("cấp xã", "cấp tỉnh")
BCA = ("Cục Xây dựng phong trào bảo vệ an ninh Tổ quốc (V05)", "Bộ Công an", "ministry",
       "Bộ trưởng Bộ Công an")
XA = (BCD_XA, "Ủy ban nhân dân cấp xã", "commune", "Chủ tịch Ủy ban nhân dân cấp xã")
HUYEN = (BCD_HUYEN, "Ủy ban nhân dân cấp huyện", "district", "Chủ tịch Ủy ban nhân dân cấp huyện")
TINH = (BCD_TINH, "Ủy ban nhân dân cấp tỉnh", "province", "Chủ tịch Ủy ban nhân dân cấp tỉnh")
XA_2025 = ("Công an xã, phường, đặc khu (Thường trực Ban Chỉ đạo cấp xã)",
           "Ủy ban nhân dân xã, phường, đặc khu", "commune",
           "Chủ tịch Ủy ban nhân dân xã, phường, đặc khu")
TINH_2025 = ("Công an tỉnh (Thường trực Ban Chỉ đạo cấp tỉnh)", "Ủy ban nhân dân cấp tỉnh",
             "province", "Chủ tịch Ủy ban nhân dân cấp tỉnh")
ORGS = ("agency", "enterprise", "school")

ROWS = [
    # (kind, managing level, from, to, body tuple, deadline (month, day), basis, confirmed, note)
    ("residential_area", "", None, END, XA, (11, 15), TT124, True, "Điều 9.1.a, 10.1"),
    ("commune", "", None, END, HUYEN, (11, 20), TT124, True, "Điều 9.1.b, 10.2"),
    *[(k, "commune", None, END, XA, (11, 20), TT124, True, "Điều 9.1.c, 10.1") for k in ORGS],
    *[(k, "", None, END, XA, (11, 20), TT124, True,
       "Chưa khai báo cấp quản lý: coi như cấp xã quản lý") for k in ORGS],
    *[(k, "district", None, END, HUYEN, (11, 20), TT124, True, "Điều 10.2") for k in ORGS],
    *[(k, "province", None, END, TINH, (11, 20), TT124, True, "Điều 10.3") for k in ORGS],
    *[(k, "ministry", None, END, BCA, (11, 20), TT124, True, "Điều 9.1.d, 10.4") for k in ORGS],
    ("residential_area", "", REFORM, None, XA_2025, (11, 15), AFTER, False,
     "Giả định: Chủ tịch UBND xã tiếp tục công nhận khu dân cư; hồ sơ qua Công an xã."),
    ("commune", "", REFORM, None, TINH_2025, (11, 20), AFTER, False,
     "Giả định: bỏ cấp huyện, UBND tỉnh công nhận xã, phường, đặc khu."),
    *[(k, "commune", REFORM, None, XA_2025, (11, 20), AFTER, False, "") for k in ORGS],
    *[(k, "", REFORM, None, XA_2025, (11, 20), AFTER, False,
       "Chưa khai báo cấp quản lý: coi như cấp xã quản lý") for k in ORGS],
    *[(k, "district", REFORM, None, TINH_2025, (11, 20), AFTER, False,
       "Đơn vị do cấp huyện cũ quản lý: chuyển về cấp tỉnh") for k in ORGS],
    *[(k, "province", REFORM, None, TINH_2025, (11, 20), AFTER, False, "") for k in ORGS],
    *[(k, "ministry", REFORM, None, BCA, (11, 20), AFTER, False, "") for k in ORGS],
]


def seed(apps, schema_editor):
    AuthorityRule = apps.get_model("recognition", "AuthorityRule")
    for kind, level, start, end, body, (month, day), basis, confirmed, note in ROWS:
        appraising, deciding, deciding_level, signer = body
        AuthorityRule.objects.create(
            unit_kind=kind, managing_level=level, valid_from=start, valid_to=end,
            appraising_body=appraising, deciding_body=deciding, deciding_level=deciding_level,
            signer_title=signer, deadline_month=month, deadline_day=day, legal_basis=basis,
            confirmed=confirmed, note=note,
        )


def unseed(apps, schema_editor):
    apps.get_model("recognition", "AuthorityRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
