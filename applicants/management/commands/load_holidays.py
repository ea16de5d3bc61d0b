"""``manage.py load_holidays 2027.csv``: load a year's holiday notice (see docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applicants.holidays import holidays_load
from applicants.workdays import HolidayFileError, parse_holiday_csv


class Command(BaseCommand):
    help = "导入一年的法定节假日和调休安排（CSV：date,is_workday,note），使该年度被工作日日历覆盖。"
    # The only check that would speak is the calendar-gap warning this command is run to fix.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件（UTF-8，可带 BOM）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
        try:
            rows = parse_holiday_csv(data)
        except HolidayFileError as exc:
            raise CommandError("文件有误，未导入任何数据：\n" + "\n".join(exc.errors)) from exc
        result = holidays_load(rows=rows, source=path.name)
        self.stdout.write(
            f"新增 {result.created} 天，修改 {result.updated} 天，未变 {result.unchanged} 天；"
            f"覆盖年度：{'、'.join(map(str, result.years)) or '无'}"
            + (f"（新增 {'、'.join(map(str, result.new_years))}）" if result.new_years else "")
        )
        if not result.years:
            self.stderr.write(
                "注意：文件中没有放假日（is_workday=0），没有任何年度被标记为已导入。"
            )
