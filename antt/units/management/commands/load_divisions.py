from django.core.management.base import BaseCommand

from antt.units.loading import load_divisions


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính chính thức (hiện hành và trước 01/7/2025)."

    def handle(self, *args: object, **options: object) -> None:
        r = load_divisions(actor="load_divisions")
        c = r.counts
        self.stdout.write(
            f"vietnamadminunits {r.package_version}: "
            f"hiện hành {c['province']} tỉnh, {c['commune']} xã; "
            f"trước 2025 {c['province_legacy']} tỉnh, {c['district_legacy']} huyện, "
            f"{c['commune_legacy']} xã. "
            f"Tạo mới {r.created}, cập nhật {r.updated}, giữ nguyên {r.unchanged}, "
            f"quan hệ kế thừa mới {r.successions_created}."
        )
