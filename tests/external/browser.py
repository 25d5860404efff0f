"""The local web editor (`avtale serve`) in a real browser: headless Chromium driven by
Selenium, with accessibility checks by axe-core. Every scenario is a user's flow over a
temporary copy of agreements/, asserting what the page and the files on disk do.

Run through tests/external/browser.sh, which sets up Selenium and axe-core:

    python3 browser.py --avtale BIN --axe axe.min.js --root REPO --work TMPDIR

Prints one line per scenario (`ok   …` or `FAIL …`) and closes with
`browser: N passed, M failed`; exits 1 when a scenario failed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    JavascriptException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
    # A second host name for this machine, to play a DNS-rebinding page (scenario j).
    "--host-resolver-rules=MAP rebind.test 127.0.0.1",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# A typesetter in a debug build takes its time: waits for checks are short, for the preview long.
SCALE = float(os.environ.get("BROWSER_TIMEOUT_SCALE", "1"))
T_UI = 20 * SCALE
T_PREVIEW = 180 * SCALE

INVALID_ORGNR = "123456789"  # check digit should be 5
VALID_ORGNR = "974760673"


class Failure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Failure(message)


class Suite:
    def __init__(self, args):
        self.args = args
        self.bin = str(Path(args.avtale).resolve())
        self.root = Path(args.root).resolve()
        self.work = Path(args.work).resolve()
        self.dir = self.work / "avtaler"
        self.out = self.work / "out"
        self.downloads = self.work / "downloads"
        self.artifacts = Path(args.artifacts).resolve()
        self.screenshots = Path(args.screenshots).resolve()
        self.axe_source = Path(args.axe).read_text(encoding="utf-8")
        self.results: list[tuple[str, bool, str]] = []
        self.server = None
        self.driver = None
        self.evil = None
        self.server_lines: list[str] = []
        self.shots: set[str] = set()

    # ---------------------------------------------------------------- setup

    def start(self):
        shutil.copytree(self.root / "agreements", self.dir)
        self.out.mkdir()
        self.downloads.mkdir()
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.originals = {
            p.relative_to(self.dir).as_posix(): p.read_bytes() for p in self.dir.rglob("*.toml")
        }
        self.server_log = open(self.work / "serve.stderr", "wb")
        self.server = subprocess.Popen(
            [self.bin, "serve", str(self.dir), "--port", "0", "-o", str(self.out)],
            stdout=subprocess.PIPE,
            stderr=self.server_log,
            stdin=subprocess.DEVNULL,
            cwd=self.work,
        )
        first: list[str] = []
        got = threading.Event()

        def drain():
            for raw in self.server.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.server_lines.append(line)
                if not got.is_set():
                    first.append(line)
                    got.set()
            got.set()

        threading.Thread(target=drain, daemon=True).start()
        if not got.wait(120 * SCALE) or not first:
            raise Failure(f"avtale serve printed no address; stderr: {self.server_stderr()}")
        m = re.fullmatch(r"avtale serve: (http://127\.0\.0\.1:(\d+))/\?token=([0-9a-f]{64})", first[0])
        if not m:
            raise Failure(f"first line of avtale serve is not its address: {first[0]!r}")
        self.base, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)
        self.cookie_name = f"avtale-token-{self.port}"
        self.url = first[0].split(": ", 1)[1]

        options = webdriver.ChromeOptions()
        options.binary_location = self.args.chromium
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(self.downloads),
                "download.prompt_for_download": False,
                "download.directory_upgrade": True,
                "safebrowsing.enabled": False,
            },
        )
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(self.args.chromedriver))
        self.driver.set_window_size(1400, 1000)
        self.driver.set_page_load_timeout(60 * SCALE)
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(self.downloads), "eventsEnabled": True},
        )

    def stop(self):
        if self.driver:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
        if self.evil:
            self.evil.shutdown()
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
        if getattr(self, "server_log", None):
            self.server_log.close()

    def server_stderr(self):
        try:
            return (self.work / "serve.stderr").read_text("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    # ---------------------------------------------------------------- helpers

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, cond, message, timeout=T_UI):
        """Wait until `cond()` is truthy; its value. Exceptions of a changing page count as not yet."""
        last = [None]

        def probe(_):
            try:
                return cond()
            except (StaleElementReferenceException, JavascriptException) as e:
                last[0] = e
                return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(probe)
        except TimeoutException:
            if callable(message):
                try:
                    message = message()
                except Exception as e:  # noqa: BLE001 - the page may be gone
                    message = f"(message failed: {e})"
            extra = f" (last error: {last[0].msg.splitlines()[0]})" if last[0] else ""
            raise Failure(f"timed out after {timeout:.0f} s: {message}{extra}") from None

    def el(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def path(self, name) -> Path:
        return self.dir / name

    def visit(self, path):
        self.driver.get(self.base + path)

    def open_editor(self, file):
        self.visit("/edit?file=" + urllib.parse.quote(file))
        self.wait(lambda: self.js("return !!document.querySelector('#form [data-path]')"), f"the form of {file} is shown")
        self.wait(lambda: self.el("#summary-count").text.strip(), "the problem summary is filled in")

    def toml_text(self):
        return self.js("return document.getElementById('toml').value")

    def type_into(self, element_id, value):
        """Replace a field's text by typing, as a person does: select all, type."""
        field = self.el("#" + element_id)
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(value)

    def wait_text_has(self, needle, message=None):
        self.wait(lambda: needle in self.toml_text(), message or f"the file's text has {needle!r}")

    def diag_codes(self, path):
        return self.js(
            "const h = document.querySelector(`[data-diag-for=\"${CSS.escape(arguments[0])}\"]`);"
            "return h ? Array.from(h.querySelectorAll('p.diag-item')).map(p => p.dataset.code) : null;",
            path,
        )

    def summary_texts(self):
        return [a.text for a in self.els("#summary-list a")]

    def options(self, element_id):
        """The choices of a select: [(value, label)], without the empty "– velg –"."""
        return [
            (v, t)
            for v, t in self.js(
                "const s = document.getElementById(arguments[0]);"
                "return s ? Array.from(s.options).map(o => [o.value, o.text]) : [];",
                element_id,
            )
            if v
        ]

    def known_options(self, element_id):
        return {v for v, t in self.options(element_id) if not t.endswith("(ikke gyldig her)")}

    def select(self, element_id, value):
        Select(self.el("#" + element_id)).select_by_value(value)

    def status(self):
        return self.el("#status").text.strip()

    def preview(self):
        """The preview's pages as [(hash, src digest)], once every image has loaded."""
        return self.js(
            "const imgs = Array.from(document.querySelectorAll('#pages img.page'));"
            "if (!imgs.length || imgs.some(i => !i.complete || i.naturalWidth === 0)) return null;"
            "return imgs.map(i => [i.dataset.hash, i.src.length + ':' + i.src.slice(-64), i.alt]);"
        )

    def axe(self, where):
        """axe-core on the page as it is; fails on serious or critical violations."""
        if not self.js("return typeof window.axe === 'object'"):
            self.js(self.axe_source)
        self.driver.set_script_timeout(60 * SCALE)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
            ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 200)}))}))}))"
            ".catch(e => done({error: String(e)}));",
            AXE_TAGS,
        )
        if "error" in result:
            raise Failure(f"axe-core failed on {where}: {result['error']}")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        minor = [v for v in result["violations"] if v["impact"] not in ("serious", "critical")]
        for v in minor:
            print(f"     axe ({where}): {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        if bad:
            lines = []
            for v in bad:
                lines.append(f"axe {v['impact']} {v['id']} on {where}: {v['help']}")
                for n in v["nodes"][:8]:
                    summary = " ".join((n["summary"] or "").split())
                    lines.append(f"       at {n['target']}: {summary[:300]}")
                    lines.append(f"          {n['html']}")
            raise Failure("\n".join(lines))

    def focus_visible(self):
        """What has focus and whether it shows: [tag, id, text, outline, box-shadow, visible]."""
        return self.js(
            "const e = document.activeElement;"
            "if (!e || e === document.body) return null;"
            "const s = getComputedStyle(e);"
            "const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;"
            "const shadow = s.boxShadow && s.boxShadow !== 'none';"
            "const r = e.getBoundingClientRect();"
            "return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || e.value || '').trim().slice(0, 40),"
            " outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow, shown: !!(outline || shadow),"
            " onscreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth};"
        )

    def tab(self, shift=False):
        chain = ActionChains(self.driver)
        if shift:
            chain.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
        else:
            chain.send_keys(Keys.TAB)
        chain.perform()

    def page_errors(self):
        try:
            logs = self.driver.get_log("browser")
        except WebDriverException:
            return []
        return [e["message"] for e in logs if e.get("level") == "SEVERE" and "Uncaught" in e.get("message", "")]

    def run(self, name, fn):
        started = time.monotonic()
        self.page_errors()  # drop what earlier scenarios left
        if not name.startswith("a.") and not any(c["name"] == self.cookie_name for c in self.driver.get_cookies()):
            # Scenario a makes the first visit; run alone, another scenario makes it here.
            self.driver.get(self.url)
        try:
            fn()
            errors = self.page_errors()
            check(not errors, "script errors in the page: " + "; ".join(errors))
        except Exception as e:  # noqa: BLE001 - every failure is reported, the next scenario runs
            if isinstance(e, Failure):
                detail = str(e)
            else:
                # The line of this file that failed and the error's first line (no driver stack).
                here = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
                where = f"line {here[-1].lineno}: {here[-1].line}" if here else ""
                msg = getattr(e, "msg", None) or str(e)
                detail = f"{type(e).__name__}: {msg.splitlines()[0] if msg else ''}\n     at {where}"
            self.results.append((name, False, detail))
            shot = self.artifacts / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".png")
            try:
                self.driver.save_screenshot(str(shot))
                detail += f"\n     screenshot: {shot}"
            except WebDriverException:
                pass
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s)\n     {detail}", flush=True)
            return
        self.results.append((name, True, ""))
        print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)

    # ---------------------------------------------------------------- scenarios

    def a_start_page(self):
        # The first visit: the address with the token sets the cookie and redirects.
        self.driver.get(self.url)
        self.wait(lambda: self.els("#agreements"), "the start page's table of agreements")
        check(urllib.parse.urlparse(self.driver.current_url).query == "", f"the token stays in the address: {self.driver.current_url}")
        cookies = {c["name"]: c for c in self.driver.get_cookies()}
        check(self.cookie_name in cookies, f"no {self.cookie_name} cookie: {list(cookies)}")
        check(cookies[self.cookie_name].get("httpOnly"), "the token cookie is not HttpOnly")
        check(self.js("return document.cookie").find(self.token) < 0, "the token is readable by scripts")
        rows = self.js("return Array.from(document.querySelectorAll('#agreements tr[data-file]')).map(r => [r.dataset.file, r.dataset.member || null])")
        listed = {f for f, _ in rows}
        files = set(self.originals)
        check(listed == files, f"start page lists {sorted(listed)}, the directory has {sorted(files)}")
        # Plain agreement files link to their editor; the segment file's members are listed.
        for f in files:
            if f.startswith("segment-"):
                continue
            link = self.els(f'#agreements tr[data-file="{f}"] a[href]')
            check(link and link[0].get_attribute("href").endswith("/edit?file=" + urllib.parse.quote(f, safe="")),
                  f"no editor link for {f}")
        members = [m for f, m in rows if f.startswith("segment-")]
        check(len(members) == 26, f"expected 26 segment members, got {len(members)}")
        self.axe("the start page")
        self.screenshot("start.png")

    def b_new_agreement(self):
        self.visit("/")
        # An empty form is refused with an error summary that links to each field.
        self.el("#new-agreement button[type=submit]").click()
        self.wait(lambda: self.els("#new-errors"), "the error summary after submitting an empty form")
        check(self.el("#new-errors").get_attribute("role") == "alert", "the error summary is not an alert")
        links = [a.get_attribute("href").split("#")[-1] for a in self.els("#new-errors a")]
        check({"new-navn", "new-orgnr", "new-file"} <= set(links), f"error summary links: {links}")
        check("new-navn-error" in (self.el("#new-navn").get_attribute("aria-describedby") or ""),
              "the name field is not described by its error")
        self.axe("the start page with errors in Ny avtale")
        # Now filled in.
        self.type_into("new-file", "browser-ny")
        self.type_into("new-navn", "Testvik kommune")
        self.type_into("new-orgnr", VALID_ORGNR)
        self.select("new-tjeneste", "inntekt")
        self.el("#new-agreement button[type=submit]").click()
        self.wait(lambda: "/edit?file=browser-ny.toml" in self.driver.current_url, "the editor of the new file opens")
        self.wait(lambda: self.js("return !!document.querySelector('#form [data-path]')"), "the new file's form")
        text = self.path("browser-ny.toml").read_text("utf-8")
        check('navn = "Testvik kommune"' in text, "the new file lacks the name")
        check(VALID_ORGNR in text, "the new file lacks the organisation number")
        check(self.el("#f-virksomhet-navn").get_attribute("value") == "Testvik kommune", "the form does not show the name")
        check(self.el("#f-tjeneste-0-id").get_attribute("value") == "inntekt", "the form does not show the chosen service")
        self.wait(lambda: self.el("#summary-count").text.strip(), "the problem summary is filled in")
        self.axe("the editor of a new agreement")
        self.el('.editor-head a[href="/"]').click()
        self.wait(lambda: self.els('#agreements tr[data-file="browser-ny.toml"]'), "the start page lists the new agreement")

    def new_file(self):
        """The file scenario b makes; made here as `avtale new` does when b failed to."""
        name = "browser-ny.toml"
        if not self.path(name).exists():
            print(f"     (b made no {name}; made with avtale new)")
            subprocess.run([self.bin, "new", "--orgnr", VALID_ORGNR, "--navn", "Testvik kommune", "--tjeneste", "inntekt",
                            "-o", str(self.path(name))], check=True, stdin=subprocess.DEVNULL, capture_output=True)
        return name

    def c_orgnr(self):
        self.open_editor(self.new_file())
        path = "virksomhet.organisasjonsnummer"
        check("orgnr-checksum" not in (self.diag_codes(path) or []), "orgnr-checksum before any change")
        self.type_into("f-virksomhet-organisasjonsnummer", INVALID_ORGNR)
        self.wait(lambda: "orgnr-checksum" in (self.diag_codes(path) or []),
                  "an orgnr-checksum diagnostic beside the organisation number")
        item = self.el(f'[data-diag-for="{path}"] p.diag-item[data-code="orgnr-checksum"]')
        check(item.is_displayed() and item.text.strip(), "the diagnostic is not shown")
        field = self.el("#f-virksomhet-organisasjonsnummer")
        check(field.get_attribute("aria-invalid") == "true", "the field is not marked aria-invalid")
        holder_id = self.el(f'[data-diag-for="{path}"]').get_attribute("id")
        check(holder_id in (field.get_attribute("aria-describedby") or "").split(),
              "the field is not described by its diagnostics")
        entries = [a for a in self.els("#summary-list a") if "orgnr-checksum" in a.text]
        check(entries, f"no orgnr-checksum in the summary: {self.summary_texts()}")
        check(re.search(r"\d+ feil", self.el("#summary-count").text), "the summary count does not count errors")
        self.axe("the editor with a diagnostic")
        # The summary's entry takes the keyboard to the field.
        entries[0].click()
        self.wait(lambda: self.js("return document.activeElement.id") == "f-virksomhet-organisasjonsnummer",
                  "the summary link moves focus to the organisation number")
        self.type_into("f-virksomhet-organisasjonsnummer", VALID_ORGNR)
        self.wait(lambda: "orgnr-checksum" not in (self.diag_codes(path) or []),
                  "the diagnostic goes away when the number is fixed")
        self.wait(lambda: not any("orgnr-checksum" in t for t in self.summary_texts()), "the summary drops it")
        check(self.el("#f-virksomhet-organisasjonsnummer").get_attribute("aria-invalid") is None,
              "the field is still aria-invalid")

    def d_service_packages(self):
        self.open_editor(self.new_file())
        svc, pkg, basis = "f-tjeneste-0-id", "f-tjeneste-0-rettighetspakke", "f-tjeneste-0-utleveringsgrunnlag-type"
        inntekt = {"sbl", "otp", "nav", "pensjonskasse", "husbanken", "laanekassen", "ssb", "udi"}
        check(self.known_options(pkg) == inntekt, f"packages of inntekt: {self.known_options(pkg)}")
        cases = [
            ("restanser", {"dibk", "ebevis"}),
            ("tjenestepensjonsavtale", {"otp"}),
            ("folkeregisteret", {"offentligmedhjemmel", "offentligutenhjemmel", "privatutenhjemmel", "privat",
                                 "privatutenfolkeregisteridentifikator", "finans", "presse",
                                 "presseutenfolkeregisteridentifikator", "utstedereid"}),
            ("restanser", {"dibk", "ebevis"}),
        ]
        for service, packages in cases:
            self.select(svc, service)
            self.wait(lambda: self.known_options(pkg) == packages,
                      lambda: f"choosing {service} offers the packages {sorted(packages)} (got {sorted(self.known_options(pkg))})")
            self.wait_text_has(f'id = "{service}"')
            check(self.js("return document.activeElement.id") == svc, "focus is not kept on the service after the form is redrawn")
        # The basis follows the package: consent packages allow consent only, and ask for return addresses.
        self.select(pkg, "ebevis")
        self.wait(lambda: self.known_options(basis) == {"samtykke"}, lambda: f"ebevis allows samtykke only (got {self.known_options(basis)})")
        self.wait(lambda: self.els("#f-tjeneste-0-retur_url"), "a consent package asks for return addresses")
        self.wait(lambda: "5616_5" in self.js("return (document.getElementById('f-tjeneste-0-rettighetspakke-note') || {}).textContent || ''"),
                  "the consent code of ebevis is shown under the package")
        self.select(basis, "samtykke")
        self.wait_text_has('type = "samtykke"')
        self.select(pkg, "dibk")
        self.wait(lambda: self.known_options(basis) == {"hjemmel"}, lambda: f"dibk allows hjemmel only (got {self.known_options(basis)})")
        self.wait(lambda: not self.els("#f-tjeneste-0-retur_url") or self.el("#f-tjeneste-0-retur_url").get_attribute("value") == "",
                  "no return addresses for a statutory package")
        # A value the package does not allow is shown as unknown, not silently changed.
        labels = dict(self.options(basis))
        check(labels.get("samtykke", "").endswith("(ikke gyldig her)"), f"the chosen samtykke is not marked as not valid here: {labels}")
        self.select(basis, "hjemmel")
        self.wait(lambda: self.js(
            "return document.getElementById(arguments[0]).value", basis) == "hjemmel", "hjemmel is chosen")
        self.wait_text_has('type = "hjemmel"')
        self.axe("the editor after choosing service, package and basis")

    def e_preview(self):
        self.open_editor("fjordvik-kommune.toml")
        first = self.wait(self.preview, "the preview's page images", T_PREVIEW)
        check(len(first) >= 2, f"only {len(first)} preview pages")
        check(first[0][2] == f"Side 1 av {len(first)}", f"the first page's alt text: {first[0][2]!r}")
        self.axe("the editor with the preview")
        self.type_into("f-virksomhet-navn", "Fjordvik kommune og omegn")
        self.wait_text_has('navn = "Fjordvik kommune og omegn"')

        def changed():
            now = self.preview()
            return now if now and [h for h, _, _ in now] != [h for h, _, _ in first] else None

        now = self.wait(changed, "the preview changes after the organisation's name is edited", T_PREVIEW)
        check(now[0][0] != first[0][0] and now[0][1] != first[0][1], "the first page (with the name) did not change")
        check(not self.el("#preview-notice").text.strip(), f"preview notice: {self.el('#preview-notice').text}")

    def f_contacts(self):
        self.open_editor("fjordvik-kommune.toml")
        count = lambda: len(self.els('#form [data-item^="kontakt["]'))  # noqa: E731
        check(count() == 3, f"fjordvik has 3 contacts, the form shows {count()}")
        self.el("#add-kontakt").click()
        self.wait(lambda: count() == 4, "a fourth contact after Legg til kontaktperson")
        self.wait(lambda: self.js("return !!document.activeElement.closest('[data-item=\"kontakt[3]\"]')"),
                  "focus moves into the new contact")
        self.wait(lambda: self.toml_text().count("[[kontakt]]") == 4, "the new contact is in the file")
        # The empty contact's problems are shown inside its (shaded) fieldset.
        self.wait(lambda: self.els('[data-item="kontakt[3]"] p.diag-item'), "the new, empty contact's problems")
        self.axe("the editor with a new, empty contact")
        self.type_into("f-kontakt-3-navn", "Nora Ny")
        self.type_into("f-kontakt-3-epost", "nora.ny@fjordvik.kommune.example")
        self.wait_text_has('epost = "nora.ny@fjordvik.kommune.example"')
        names = lambda: self.js(  # noqa: E731
            "return Array.from(document.querySelectorAll('#form input[data-path^=\"kontakt[\"][data-path$=\"].navn\"]')).map(e => e.value)"
        )
        check(names() == ["Kari Nordvik", "Eirik Solstad", "Ingrid Havsøy", "Nora Ny"], f"names: {names()}")
        self.el("#up-kontakt-3").click()
        self.wait(lambda: names() == ["Kari Nordvik", "Eirik Solstad", "Nora Ny", "Ingrid Havsøy"],
                  lambda: f"moving the new contact up (names {names()})")
        self.wait(lambda: self.js("return document.activeElement.id") in ("up-kontakt-2", "down-kontakt-2"),
                  "focus follows the moved contact's button")
        text = self.toml_text()
        check(text.index("Nora Ny") < text.index("Ingrid Havsøy"), "the file's order did not change")
        self.el('button[data-op="remove"][data-path="kontakt[0]"]').click()
        self.wait(lambda: names() == ["Eirik Solstad", "Nora Ny", "Ingrid Havsøy"], lambda: f"removing the first contact (names {names()})")
        self.wait(lambda: "Kari Nordvik" not in self.toml_text(), "the removed contact leaves the file")
        check(self.js("return document.activeElement.id") == "add-kontakt", "focus does not go to Legg til after removing")
        check(self.path("fjordvik-kommune.toml").read_bytes() == self.originals["fjordvik-kommune.toml"],
              "the file on disk changed without saving")

    def g_save(self):
        name = "fjellheim-pensjonskasse.toml"
        file = self.path(name)
        comment = self.originals[name].decode().splitlines()[0]
        check(comment.startswith("# "), "the example has no comment to keep")
        self.open_editor(name)
        new_name = "Fjellheim pensjonskasse (lagret)"
        self.type_into("f-virksomhet-navn", new_name)
        self.wait_text_has(f'navn = "{new_name}"')
        page_codes = self.page_codes()
        self.el("#save").click()
        self.wait(lambda: self.el("#save-dialog").is_displayed(), "the save dialog opens")
        self.wait(lambda: self.js("return document.activeElement.id") == "save-dialog", "focus moves to the save dialog")
        items = [li.text for li in self.els("#save-changes li")]
        check(items, "the dialog lists no change")
        check(not any(re.match(r"^[+-]", t) for t in items), f"the changes are file lines, not words: {items}")
        check(any(new_name in t for t in items), f"the change of name is not listed: {items}")
        print(f"     save dialog: {items}")
        self.axe("the editor with the save dialog")
        self.el("#confirm-save").click()
        self.wait(lambda: self.status() == "Lagret.", lambda: f"the page says Lagret. (status {self.status()!r})")
        check(not self.el("#save-dialog").is_displayed(), "the dialog stays open")
        check(self.js("return document.activeElement.id") == "save", "focus does not return to Lagre")
        saved = file.read_text("utf-8")
        check(f'navn = "{new_name}"' in saved, "the file on disk lacks the new name")
        check(saved.splitlines()[0] == comment, "the comment at the top of the file is lost")
        check(saved == self.toml_text(), "the file on disk is not the page's text")
        diff = [(a, b) for a, b in zip(self.originals[name].decode().splitlines(), saved.splitlines()) if a != b]
        check(len(diff) == 1 and len(saved.splitlines()) == len(self.originals[name].decode().splitlines()),
              f"saving changed more than the name: {diff}")
        rc, codes = self.cli_check(file)
        check(rc == 0 or codes == page_codes,
              f"avtale check exits {rc} with {sorted(codes)}; the page showed {sorted(page_codes)}")
        # Someone else changes the file; the page must not overwrite it.
        behind = saved + "# endret i en annen editor\n"
        file.write_text(behind, "utf-8")
        self.type_into("f-virksomhet-navn", "Fjellheim pensjonskasse (igjen)")
        self.wait_text_has('navn = "Fjellheim pensjonskasse (igjen)"')
        self.el("#save").click()
        self.wait(lambda: self.el("#save-dialog").is_displayed(), "the save dialog opens again")
        self.el("#confirm-save").click()
        self.wait(lambda: "endret på disken" in self.status(), lambda: f"the page says the file changed on disk (status {self.status()!r})")
        check(file.read_text("utf-8") == behind, "the file changed on disk was overwritten")

    def h_toml_tab(self):
        name = "statens-kjoeretoeyetat.toml"
        self.open_editor(name)
        self.el("#tab-toml").click()
        self.wait(lambda: self.el("#toml").is_displayed(), "the TOML tab shows the text")
        check(self.el("#tab-toml").get_attribute("aria-selected") == "true", "the TOML tab is not selected")
        check(not self.el("#panel-form").is_displayed(), "the form stays visible")
        lines = self.toml_text().split("\n")
        target = next(i for i, l in enumerate(lines) if l.startswith("navn = ")) + 1  # [virksomhet] navn
        offset = sum(len(l) + 1 for l in lines[: target - 1]) + len(lines[target - 1])
        area = self.el("#toml")
        area.click()
        self.js("arguments[0].setSelectionRange(arguments[1], arguments[1])", area, offset)
        area.send_keys(" oops")
        self.wait(lambda: any(li.text.startswith(f"Linje {target}:") for li in self.els("#toml-diags li")),
                  lambda: f"a diagnostic at line {target} in the TOML tab (got {[li.text for li in self.els('#toml-diags li')]})")
        entry = next(li.text for li in self.els("#toml-diags li") if li.text.startswith(f"Linje {target}:"))
        check("[toml-syntax]" in entry, f"the diagnostic is not a toml-syntax error: {entry}")
        self.axe("the TOML tab with a syntax error")
        # Back to the form: it cannot be drawn and says so; the file on disk is untouched.
        self.el("#tab-form").click()
        self.wait(lambda: self.el("#form-notice").is_displayed() and "TOML" in self.el("#form-notice").text,
                  "the form tab explains that the TOML is broken")
        check(self.path(name).read_bytes() == self.originals[name], "the file on disk changed")
        # Fixed in the TOML tab, the form comes back.
        self.el("#tab-toml").click()
        area = self.el("#toml")
        area.click()
        self.js("arguments[0].setSelectionRange(arguments[1], arguments[1])", area, offset + len(" oops"))
        area.send_keys(Keys.BACKSPACE * len(" oops"))
        self.wait(lambda: not any(li.text.startswith(f"Linje {target}:") for li in self.els("#toml-diags li")),
                  "the syntax error goes away")
        self.el("#tab-form").click()
        self.wait(lambda: self.els("#f-virksomhet-navn") and not self.el("#form-notice").is_displayed(), "the form is back")

    def i_keyboard(self):
        def walk(where, presses):
            seen = []
            for _ in range(presses):
                self.tab()
                f = self.focus_visible()
                check(f is not None, f"{where}: Tab left focus on the page body after {seen[-3:]}")
                label = f"{f['tag']}#{f['id']}" if f["id"] else f"{f['tag']} {f['text']!r}"
                check(f["shown"], f"{where}: {label} has focus but no visible outline or shadow ({f['outline']}, {f['shadow']})")
                check(f["onscreen"], f"{where}: {label} has focus but is not on screen")
                seen.append(label)
            return seen

        self.visit("/")
        self.wait(lambda: self.els("#agreements"), "the start page")
        self.tab()
        check(self.js("return document.activeElement.className") == "skip", "the first Tab does not reach the skip link")
        check(self.focus_visible()["onscreen"], "the skip link does not appear when focused")
        self.el(".skip").send_keys(Keys.ENTER)
        self.wait(lambda: self.js("return document.activeElement.id") == "main", "the skip link moves focus to the main content")
        # Through the agreements' links and the new-agreement form to its button.
        seen = []
        for _ in range(40):
            seen += walk("start page", 1)
            if seen[-1].startswith("button") and "Lag avtalen" in seen[-1]:
                break
        check(seen[-1].startswith("button") and "Lag avtalen" in seen[-1], f"Tab does not reach Lag avtalen: {seen}")
        links = [s for s in seen if re.match(r"a '[a-z-]+\.toml'", s)]
        plain = len(list(self.dir.glob("*.toml")))
        check(len(links) == plain, f"Tab does not reach the {plain} agreements' links: {seen}")
        check([s for s in seen if s.startswith(("input", "select"))] ==
              ["input#new-file", "input#new-navn", "input#new-orgnr", "select#new-tjeneste", "input#new-segment"],
              f"Tab order of the new-agreement form: {seen}")

        self.open_editor("nordlys-sparebank.toml")
        self.js("document.activeElement.blur(); window.scrollTo(0, 0)")
        seen = walk("editor", 45)
        check("button#save" in seen and "button#tab-form" in seen, f"Tab does not reach Lagre and the tabs: {seen[:20]}")
        check(any(s.startswith("input#f-") for s in seen), f"Tab does not reach the form's fields: {seen}")
        # The tabs are operated with the arrow keys.
        self.el("#tab-form").click()
        self.el("#tab-form").send_keys(Keys.ARROW_RIGHT)
        self.wait(lambda: self.js("return document.activeElement.id") == "tab-toml" and self.el("#toml").is_displayed(),
                  "ArrowRight selects and focuses the TOML tab")
        check(self.focus_visible()["shown"], "the TOML tab's focus is not visible")
        self.el("#tab-toml").send_keys(Keys.ARROW_LEFT)
        self.wait(lambda: self.js("return document.activeElement.id") == "tab-form" and self.el("#form").is_displayed(),
                  "ArrowLeft goes back to the form")

    def j_other_origin(self):
        name = "nordlys-sparebank.toml"
        file = self.path(name)
        before = file.read_bytes()
        base = hashlib.sha256(before).hexdigest()
        # First a visit, so that the browser holds the cookie (scenario a did it; make sure).
        self.visit("/")
        self.wait(lambda: self.els("#agreements"), "the start page")
        body = json.dumps({"file": name, "text": "format = 1\n# overskrevet av en annen side\n", "base": base})
        target = f"{self.base}/api/save"
        evil_dir = self.work / "evil"
        evil_dir.mkdir(exist_ok=True)
        (evil_dir / "fetch.html").write_text(
            "<!doctype html><title>start</title><script>\n"
            f"const body = {json.dumps(body)};\n"
            "window.results = {};\n"
            "(async () => {\n"
            f"  try {{ const r = await fetch({json.dumps(target)}, {{method: 'POST', credentials: 'include', headers: {{'Content-Type': 'application/json'}}, body}});"
            " results.cors = 'status ' + r.status + ' ' + (await r.text()); } catch (e) { results.cors = 'error ' + e.name; }\n"
            f"  try {{ const r = await fetch({json.dumps(target)}, {{method: 'POST', mode: 'no-cors', credentials: 'include', headers: {{'Content-Type': 'text/plain'}}, body}});"
            " results.nocors = 'type ' + r.type; } catch (e) { results.nocors = 'error ' + e.name; }\n"
            "  document.title = 'done';\n"
            "})();\n</script>",
            "utf-8",
        )
        # A classic cross-site form: text/plain whose body is the JSON above.
        k, v = body[:-1] + ', "x": "', '"}'
        (evil_dir / "form.html").write_text(
            "<!doctype html><title>form</title>"
            f'<form id="f" method="post" enctype="text/plain" action="{target}">'
            f"<input type=\"hidden\" name='{k}' value='{v}'></form>"
            "<script>document.getElementById('f').submit();</script>",
            "utf-8",
        )
        self.evil = serve_static(evil_dir)
        evil = f"http://127.0.0.1:{self.evil.server_address[1]}"
        self.driver.get(f"{evil}/fetch.html")
        self.wait(lambda: self.driver.title == "done", "the other origin's page finishes its requests")
        results = self.js("return window.results")
        check(not results["cors"].startswith("status 2"), f"the other origin's fetch succeeded: {results['cors']}")
        check(file.read_bytes() == before, "a page on another origin changed the file by fetch")
        self.driver.get(f"{evil}/form.html")
        self.wait(lambda: self.driver.current_url.startswith(target), "the other origin's form is posted")
        page = self.el("body").text
        check("redigeringsverktøyets egne sider" in page or "tilgangsnøkkel" in page,
              f"the server does not refuse the other origin's form: {page[:200]!r}")
        check(file.read_bytes() == before, "a page on another origin changed the file by a form")
        # A host name that resolves to this machine (DNS rebinding): refused even with the token.
        self.driver.get(f"http://rebind.test:{self.port}/?token={self.token}")
        page = self.el("body").text
        check("Ukjent vertsnavn" in page, f"a page under another host name is answered: {page[:200]!r}")
        check(not any(c["name"].startswith("avtale-token") for c in self.driver.get_cookies()),
              "the server set its cookie for another host name")
        print(f"     other origin: fetch {results['cors'][:90]!r}, no-cors {results['nocors']!r}")

    def k_download(self):
        name = "nordlys-sparebank.toml"
        built = self.work / "built"
        built.mkdir()
        subprocess.run([self.bin, "build", "-q", "-o", str(built), str(self.path(name))], check=True,
                       stdin=subprocess.DEVNULL, cwd=self.work)
        pdfs = list(built.glob("*.pdf"))
        check(len(pdfs) == 1, f"avtale build wrote {pdfs}")
        expected = pdfs[0].read_bytes()
        self.open_editor(name)
        for p in self.downloads.iterdir():
            p.unlink()
        self.el("#download").click()
        self.wait(lambda: self.status() == "PDF-en er lastet ned.", lambda: f"the page says the PDF was downloaded (status {self.status()!r})", T_PREVIEW)
        got = self.wait(lambda: [p for p in self.downloads.iterdir() if p.suffix == ".pdf"],
                        "the browser saves the PDF", 60 * SCALE)
        check(got[0].name == pdfs[0].name, f"downloaded as {got[0].name}, build writes {pdfs[0].name}")
        data = got[0].read_bytes()
        # The same bytes through the page's own request, with the browser's cookie.
        fetched = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch('/api/pdf', {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},"
            " body: JSON.stringify({file: arguments[0], text: document.getElementById('toml').value})})"
            ".then(r => r.arrayBuffer()).then(b => { let s = ''; const u = new Uint8Array(b);"
            " for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));"
            " done(btoa(s)); }).catch(e => done('error ' + e));",
            name,
        )
        check(not fetched.startswith("error"), f"fetching /api/pdf: {fetched}")
        check(base64.b64decode(fetched) == data, "the page's PDF request and the download differ")
        if data != expected:
            (self.artifacts / "download.pdf").write_bytes(data)
            (self.artifacts / "build.pdf").write_bytes(expected)
            first = next((i for i, (a, b) in enumerate(zip(data, expected)) if a != b), min(len(data), len(expected)))
            raise Failure(
                f"the downloaded PDF ({len(data)} bytes) differs from avtale build's ({len(expected)} bytes) "
                f"from byte {first}: {data[first:first + 40]!r} vs {expected[first:first + 40]!r}"
                f"; both kept in {self.artifacts}"
            )

    def l_screenshots(self):
        if "start.png" not in self.shots:  # scenario a takes it, of the directory as copied
            self.visit("/")
            self.wait(lambda: self.els("#agreements"), "the start page")
            self.screenshot("start.png")
        self.open_editor("fjordvik-kommune.toml")
        self.wait(self.preview, "the preview's page images", T_PREVIEW)
        self.screenshot("editor.png")
        for shot in ("start.png", "editor.png"):
            data = (self.screenshots / shot).read_bytes()
            check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{shot} is not a PNG")
            w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
            check((w, h) == (1400, 1000), f"{shot} is {w}x{h}, not 1400x1000")

    # ---------------------------------------------------------------- support

    def screenshot(self, name):
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur()")
        # The window is 1400x1000 outside; the viewport a screenshot takes is set to that size.
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
        )
        try:
            png = self.driver.get_screenshot_as_png()
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        (self.screenshots / name).write_bytes(png)
        self.shots.add(name)

    def page_codes(self):
        return set(re.findall(r"\[([a-z0-9-]+)\]", " ".join(self.summary_texts())))

    def cli_check(self, file):
        run = subprocess.run([self.bin, "check", "--format", "json", str(file)], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, cwd=self.work)
        codes = set()

        def walk(v):
            if isinstance(v, dict):
                if isinstance(v.get("code"), str):
                    codes.add(v["code"])
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        for line in run.stdout.splitlines():
            try:
                walk(json.loads(line))
            except json.JSONDecodeError:
                pass
        if not codes:
            try:
                walk(json.loads(run.stdout))
            except json.JSONDecodeError:
                pass
        return run.returncode, codes


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_static(directory: Path):
    """A second origin: a plain static server on another local port, in a thread."""
    handler = lambda *a, **k: Quiet(*a, directory=str(directory), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--avtale", required=True)
    ap.add_argument("--axe", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    ap.add_argument("--artifacts", default="target/browser")
    ap.add_argument("--screenshots", default="docs/screenshots")
    ap.add_argument("--only", default="", help="letters of the scenarios to run, e.g. 'abc'")
    args = ap.parse_args()

    suite = Suite(args)
    scenarios = [
        ("a. start page lists every agreement, axe clean", suite.a_start_page),
        ("b. Ny avtale creates a file and opens the editor, axe clean", suite.b_new_agreement),
        ("c. invalid organisasjonsnummer: diagnostic beside the field and in the summary, fixed", suite.c_orgnr),
        ("d. a service offers its rights packages, a package its basis types", suite.d_service_packages),
        ("e. preview pages appear and change after an edit", suite.e_preview),
        ("f. contacts: add, reorder, remove", suite.f_contacts),
        ("g. save: changes in words, file written with comments, not over a change on disk", suite.g_save),
        ("h. TOML tab: a syntax error at its line", suite.h_toml_tab),
        ("i. keyboard: Tab through the pages with visible focus", suite.i_keyboard),
        ("j. another origin cannot save", suite.j_other_origin),
        ("k. Last ned PDF gives the bytes of avtale build", suite.k_download),
        ("l. screenshots of the start page and the editor", suite.l_screenshots),
    ]
    started = time.monotonic()
    try:
        suite.start()
    except Exception as e:  # noqa: BLE001
        print(f"FAIL setup: {e}", flush=True)
        suite.stop()
        print(f"browser: 0 passed, {len(scenarios)} failed")
        return 1
    try:
        for name, fn in scenarios:
            if args.only and name[0] not in args.only:
                continue
            suite.run(name, fn)
    finally:
        suite.stop()
    passed = sum(1 for _, ok, _ in suite.results if ok)
    failed = len(suite.results) - passed
    if failed:
        stderr = suite.server_stderr().strip()
        if stderr:
            print("--- avtale serve stderr (last lines):\n" + stderr)
    print(f"browser.py took {time.monotonic() - started:.0f} s")
    print(f"browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
