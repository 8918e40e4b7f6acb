"""Page helpers for the browser journeys: one ``Ui`` per browser context (a desk PC or a phone).

Every page a journey looks at goes through ``Ui.seen``: it checks the page is in Vietnamese,
runs axe-core on it (no "serious" or "critical" violation may remain), checks a phone sees no
horizontal scrolling, that the browser logged no error, and saves the screenshot that
illustrates the user guide. Locators are by role and label, as a screen reader finds things.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django_otp.oath import TOTP  # type: ignore[import-untyped]
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from antt.accounts import twofactor
from antt.accounts.models import User
from antt.jobs.services import run_pending_jobs

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# The 404 journey asks for pages that do not exist: the browser logs the status, not a fault.
EXPECTED_CONSOLE = re.compile(r"status of 404")


@dataclass
class AxeLog:
    """What axe found on every page of the run (the report's accessibility numbers)."""

    pages: list[str] = field(default_factory=list)
    by_impact: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        return {"pages_scanned": len(self.pages), "violations_by_impact": dict(self.by_impact),
                "rules": dict(self.rules), "pages": self.pages}

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.summary(), ensure_ascii=False, indent=2) + "\n")


@dataclass
class Ui:
    page: Page
    base_url: str
    shots: Path
    axe: AxeLog
    phone: bool = False
    console: list[str] = field(default_factory=list)
    blocking: list[dict[str, Any]] = field(default_factory=list)
    scanned: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))

    def _console(self, message: Any) -> None:
        if message.type == "error" and not EXPECTED_CONSOLE.search(message.text):
            self.console.append(message.text)

    # --- moving around -----------------------------------------------------------------------

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def click_link(self, name: str, *, exact: bool = False) -> None:
        self.page.get_by_role("link", name=name, exact=exact).first.click()

    def click(self, name: str | re.Pattern[str], *, exact: bool = False) -> None:
        """A link that looks like a button, or a button (``<a role=button>`` is both)."""
        page = self.page
        page.get_by_role("button", name=name, exact=exact).or_(
            page.get_by_role("link", name=name, exact=exact)).first.click()

    def click_button(self, name: str, *, exact: bool = False) -> None:
        self.page.get_by_role("button", name=name, exact=exact).click()

    def field(self, label: str, *, exact: bool = True) -> Locator:
        return self.page.get_by_label(label, exact=exact)

    def fill(self, label: str, value: str, *, exact: bool = True) -> None:
        self.field(label, exact=exact).fill(value)

    def fill_date(self, label: str, day: dt.date) -> None:
        """A date as the person types it: the phone's date picker (an ``<input type=date>``)
        takes the ISO form, the text fields take ngày/tháng/năm."""
        box = self.page.get_by_label(re.compile("^" + re.escape(label)))
        kind = box.get_attribute("type")
        box.fill(day.isoformat() if kind == "date" else day.strftime("%d/%m/%Y"))

    def heading(self, text: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def notice(self, text: str) -> None:
        expect(self.page.get_by_role("status").or_(self.page.get_by_role("alert")).filter(
            has_text=text).first).to_be_visible()

    def download(self, name: str | re.Pattern[str], shot: str | None = None) -> tuple[str, bytes]:
        """Get the file a link or button gives, as the browser would, with the user's session:
        its name and bytes. A link marked ``download`` saves the file; a PDF link opens in the
        browser's viewer, so it is fetched through the page's own session instead; a button
        starts a background job, whose page offers the file when done (``shot`` names the
        progress page's screenshot)."""
        page = self.page
        target = page.get_by_role("link", name=name).or_(
            page.get_by_role("button", name=name)).first
        if target.evaluate("el => el.tagName") != "A":
            target.click()
            page.wait_for_load_state("load")
            self.through_job(shot)
            return self.download(re.compile("^Tải về"))
        if target.get_attribute("download") is not None:
            with page.expect_download() as info:
                target.click()
            saved = info.value
            return saved.suggested_filename, Path(saved.path()).read_bytes()
        href = target.get_attribute("href") or ""
        response = page.request.get(self.base_url + href if href.startswith("/") else href)
        assert response.ok, (href, response.status)
        disposition = response.headers.get("content-disposition", "")
        filename = re.search(r'filename="?([^";]+)', disposition)
        return (filename.group(1) if filename else href), response.body()

    def through_job(self, shot: str | None = None) -> None:
        """Long work runs in the background: when an action lands on a job's progress page,
        play the worker (``antt.jobs`` runs the queued jobs here, as ``run_jobs`` would), wait
        for the page to show the job done, then follow it to the result."""
        if "/jobs/" not in self.page.url:
            return
        self.seen(shot)
        run_pending_jobs()
        expect(self.page.locator("#job-progress")).to_have_attribute("value", "100",
                                                                     timeout=30_000)
        self.seen(f"{shot}-xong" if shot else None)
        result = self.page.get_by_role("link", name="Xem kết quả")
        has_file = self.page.get_by_role("button", name=re.compile("^Tải về")).count()
        if result.count() and not has_file:
            result.click()
            self.page.wait_for_load_state("load")

    # --- the checks on every page ------------------------------------------------------------

    def seen(self, shot: str | None = None, *, full_page: bool = False) -> None:
        """The page as a user sees it now: checked, and photographed when ``shot`` names it."""
        page = self.page
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.lang") == "vi", page.url
        self.check_accessibility()
        if self.phone:
            widths = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{page.url}: cuộn ngang {widths[0]} > {widths[1]} px"
        assert not self.console, f"{page.url}: {self.console}"
        if shot:
            self.screenshot(shot, full_page=full_page)

    def screenshot(self, shot: str, *, full_page: bool = False) -> None:
        """The viewport, or with ``full_page`` as much of the page as fits a printed page of
        the guide (long pages are cut, to keep the pictures small)."""
        size = self.page.viewport_size or {"width": 1280, "height": 800}
        height = size["height"]
        if full_page:
            height = min(self.page.evaluate("document.scrollingElement.scrollHeight"),
                         2 * size["height"])
        png = self.page.screenshot(full_page=full_page, animations="disabled", caret="hide",
                                   clip={"x": 0, "y": 0, "width": size["width"],
                                         "height": height})
        # 256 colours are plenty for flat pages and halve the files committed with the guide.
        image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
        image.save(self.shots / f"{shot}.png", optimize=True)

    def check_accessibility(self) -> None:
        """axe-core on the page, unless this very page (its address, heading, forms and notices)
        was checked already in this browser: a page shown again unchanged is not scanned twice."""
        page = self.page
        signature = page.evaluate(
            "JSON.stringify([location.pathname, document.querySelector('h1')?.textContent,"
            " [...document.forms].map(f => f.action + ':' + f.elements.length),"
            " [...document.querySelectorAll('.notice, [role=status], [role=alert]')]"
            ".map(n => n.className)])")
        if signature in self.scanned:
            return
        self.scanned.add(signature)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            # Through the DevTools protocol, so the page's own CSP does not apply.
            page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
        result = page.evaluate(
            "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
            "v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"
        )
        where = re.sub(r"^https?://[^/]+", "", page.url)
        self.axe.pages.append(where)
        for violation in result:
            self.axe.by_impact[violation["impact"]] += 1
            self.axe.rules[f"{violation['impact']}:{violation['id']}"] += 1
        self.blocking.extend({"page": where, **v} for v in result
                             if v["impact"] in BLOCKING_IMPACTS)

    def assert_accessible(self) -> None:
        """No page seen had a serious or critical violation (all are listed at once)."""
        assert not self.blocking, json.dumps(self.blocking, ensure_ascii=False, indent=1)

    def tab_through(self, form: Locator) -> None:
        """Every field of the form is labelled and reached with the Tab key. A group of radio
        buttons is one stop (the arrow keys move inside it), as in every browser."""
        fields = form.locator(
            "input:not([type=hidden]):visible, select:visible, textarea:visible, "
            "button:visible")
        keys: list[str] = fields.evaluate_all(
            "els => els.map((el, i) => { el.dataset.e2eTab = el.type === 'radio' ?"
            " 'radio:' + el.name : String(i); return el.dataset.e2eTab; })")
        unlabelled = fields.evaluate_all(
            "els => els.filter(el => el.tagName !== 'BUTTON' && !(el.labels && el.labels.length)"
            " && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))"
            ".map(el => el.name || el.id)")
        assert not unlabelled, f"{self.page.url}: ô không có nhãn {unlabelled}"
        wanted = set(keys)
        fields.first.focus()
        reached = {keys[0]}
        for _ in range(len(keys) * 3):
            self.page.keyboard.press("Tab")
            key = self.page.evaluate("document.activeElement.dataset.e2eTab ?? null")
            if key is not None:
                reached.add(key)
            if reached == wanted:
                break
        assert reached == wanted, (
            f"{self.page.url}: không tới được bằng phím Tab: {sorted(wanted - reached)}")

    # --- who is signed in --------------------------------------------------------------------

    def login(self, username: str, password: str, shot: str | None = None, *,
              form_shot: bool = True) -> None:
        """Sign in as ``username`` (signing out whoever was in) through the login form, then
        the second step when the role must use it: the TOTP code, or on the first sign-in the
        enrolment. ``shot`` names the screenshots: the form's (unless ``form_shot`` is off),
        ``<shot>-ma-xac-thuc``, ``<shot>-dang-ky-xac-thuc`` and ``<shot>-ma-khoi-phuc``."""
        logout = self.page.get_by_role("button", name="Đăng xuất")
        if self.page.url.startswith(self.base_url) and logout.count():
            logout.click()
            self.page.wait_for_load_state("load")
        self.go("/accounts/login/")
        self.fill("Tên đăng nhập", username)
        self.fill("Mật khẩu", password)
        self.seen(shot if form_shot else None)
        self.click_button("Đăng nhập", exact=True)
        self.page.wait_for_load_state("load")
        if self.page.get_by_role("heading", name="Đăng ký xác thực hai lớp").count():
            self.enrol(username, shot)
        elif self.page.get_by_role("heading", name="Xác thực hai lớp", exact=True).count():
            user = User.objects.get(username=username)
            self.fill("Mã xác thực", twofactor.current_code(user))
            self.seen(f"{shot}-ma-xac-thuc" if shot else None)
            self.click_button("Xác nhận", exact=True)
            self.page.wait_for_load_state("load")
        expect(self.page.get_by_role("button", name="Đăng xuất")).to_be_visible()


    def enrol(self, username: str, shot: str | None) -> None:
        """The first sign-in of a role that must use two-factor authentication: the app scans
        the QR code (here: the pending device's secret gives the code), the recovery codes are
        shown once."""
        self.seen(f"{shot}-dang-ky-xac-thuc" if shot else None, full_page=True)
        device = twofactor.pending_device(User.objects.get(username=username))
        assert device is not None, username
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        self.fill("Mã xác nhận", f"{code:0{device.digits}d}", exact=False)
        self.click_button("Xác nhận", exact=True)
        self.page.wait_for_load_state("load")
        self.heading("Mã khôi phục")
        expect(self.page.get_by_role("status")).to_contain_text("Đã bật xác thực hai lớp")
        self.seen(f"{shot}-ma-khoi-phuc" if shot else None)
        self.click("Tiếp tục", exact=True)
        self.page.wait_for_load_state("load")


def enrol_second_factor(*users: User) -> None:
    """Those whose role must use two-factor authentication have set up their app already."""
    for user in users:
        if twofactor.requires_two_factor(user):
            twofactor.enrol_for_tests(user)
