from django.core.management.base import BaseCommand, CommandError, CommandParser

from antt.accounts import services
from antt.accounts.models import User


class Command(BaseCommand):
    help = "Cấp mã truy cập API (token) mới cho người dùng và in ra."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **opts: object) -> None:
        try:
            user = User.objects.get(username=opts["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"Không có người dùng “{opts['username']}”.") from exc
        self.stdout.write(services.issue_token(actor="cli:issue_token", user=user).key)
