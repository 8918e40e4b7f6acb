from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.units.demo import ACCOUNTS


class Command(BaseCommand):
    help = (
        "In mã xác thực hai lớp hiện tại của một tài khoản minh hoạ (chỉ khi ANTT_DEMO=1), "
        "để thử phần mềm mà không cần ứng dụng xác thực trên điện thoại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        # A real account's second factor must stay on its owner's phone: only the demo accounts
        # of a demo installation are served here.
        if not settings.ANTT_DEMO:
            raise CommandError("Lệnh này chỉ dùng cho bản minh hoạ (ANTT_DEMO=1).")
        if username not in {a.username for a in ACCOUNTS}:
            raise CommandError(f"“{username}” không phải tài khoản minh hoạ.")
        # The device being enrolled (the QR page is open) comes first, then the confirmed one.
        device = (
            TOTPDevice.objects.filter(user__username=username)
            .order_by("confirmed", "-pk")
            .first()
        )
        if device is None:
            raise CommandError(
                f"“{username}” chưa có mã: đăng nhập trước bằng mật khẩu để mở trang đăng ký "
                "xác thực hai lớp, rồi chạy lại lệnh này."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(còn hiệu lực khoảng {left} giây)")
