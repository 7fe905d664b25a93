#!/usr/bin/python3
# Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
#
# The case workers' console in a real browser: Debian's chromium, driven by
# chromium-driver through Python's selenium, against the real openen-verifier
# and openen-relay on loopback. A case worker is refused a wrong password,
# logs in with password and TOTP, issues a code with the person's consent to
# sharing, and a real client library uploads keys with it (the relay puts
# them in its peer feed); the case worker cannot reach the admins' pages; a
# form from another site is refused; someone with a member's password but
# not their second factor locks only that account; an admin sees the counts
# move, unlocks the account, adds an integration whose key issues a code,
# and logs out. Every page is saved as a PNG in SCREENSHOTS (docs/console.md
# shows them).
#
#   browser_test.py OPENEN_VERIFIER OPENEN_RELAY OPENEN PHONE_UPLOAD WORK_DIR SCREENSHOTS
#
# Exits 0 when every check holds, 1 naming the first that does not, and 77
# (skipped) when chromium, chromium-driver or selenium is missing outside CI
# (CI=true: missing is a failure; scripts/install-deps.sh installs them).

import atexit
import base64
import datetime
import hashlib
import hmac
import http.server
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    if os.environ.get("CI") == "true":
        fail("python3-selenium is missing (scripts/install-deps.sh installs it)")
    print("SKIP: python3-selenium is not installed", file=sys.stderr)
    sys.exit(77)
for tool in (CHROMIUM, CHROMEDRIVER):
    if not os.access(tool, os.X_OK):
        if os.environ.get("CI") == "true":
            fail(tool + " is missing (scripts/install-deps.sh installs it)")
        print("SKIP: " + tool + " is not installed", file=sys.stderr)
        sys.exit(77)

VERIFIER, RELAY, CLI, PHONE_UPLOAD, WORK, SHOTS = sys.argv[1:7]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.makedirs(SHOTS, exist_ok=True)
for old in os.listdir(SHOTS):
    os.remove(os.path.join(SHOTS, old))


def w(name):
    return os.path.join(WORK, name)


def run(argv, stdin=None):
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60)
    check(done.returncode == 0, " ".join(argv) + " failed: " + done.stderr)
    return done.stdout


def totp(secret_base32, at=None):
    """RFC 6238 with SHA-1, 6 digits, 30-second steps (what the console's liboath checks)."""
    key = base64.b32decode(secret_base32)
    step = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


# --- the authority's servers, as docs/operations.md and docs/console.md set them up
certificate_pub = run([VERIFIER, "keygen", "--out", w("certificate.key")])
with open(w("certificate.pub"), "w") as f:
    f.write(certificate_pub)
run([RELAY, "keygen", "--out", w("export.pem")])
run([CLI, "log", "keygen", "--name", "openen.example/log", "--out", w("log.key")])
secrets = {}
for name, role, password in (("root", "admin", "the admin's long password"),
                             ("ann", "caseworker", "ann's long password"),
                             ("bob", "caseworker", "bob's long password")):
    out = run([VERIFIER, "staff", "add", name, "--role", role, "--daily-limit", "5",
               "--staff-dir", w("staff")], stdin=password + "\n")
    secrets[name] = out.strip().splitlines()[-1].strip()
    check(re.fullmatch(r"[A-Z2-7]{32}", secrets[name]), "no second factor printed: " + out)


class Server:
    """A server process whose stderr is collected, and the port it logs. One still running
    when the script exits (a check failed) is killed."""

    def __init__(self, argv, pattern):
        self.lines = []
        self.process = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        text=True)
        atexit.register(lambda: self.process.poll() is None and self.process.kill())
        threading.Thread(target=self._read, daemon=True).start()
        self.port = self.wait_for(pattern)

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for(self, pattern, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return int(m.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        fail("no line matching %r in:\n%s" % (pattern, "".join(self.lines)))

    def stop(self):
        self.process.terminate()
        check(self.process.wait(timeout=30) == 0, "a server did not stop cleanly")


relay = Server([RELAY, "--data-dir", w("relay-data"), "--export-dir", w("relay-export"),
                "--certificate-key", w("certificate.pub"), "--signing-key", w("export.pem"),
                "--log-key", w("log.key"), "--listen", "127.0.0.1:0", "--batch-period", "1",
                "--min-batch-keys", "5", "--maintenance-interval", "1", "--peer-feed"],
               r"listening on 127\.0\.0\.1:(\d+)")
verifier = Server([VERIFIER, "--data-dir", w("verifier-data"), "--signing-key",
                   w("certificate.key"), "--staff-dir", w("staff"), "--listen", "127.0.0.1:0",
                   "--console-listen", "127.0.0.1:0", "--console-code-link",
                   "https://app.health.example/v", "--console-title", "Health authority console",
                   "--maintenance-interval", "1"],
                  r"console on http://127\.0\.0\.1:(\d+)/")
verifier_port = verifier.wait_for(r"listening on 127\.0\.0\.1:(\d+)")
console = "http://127.0.0.1:%d" % verifier.port


# --- another site, on another port: a page whose form posts to the console
class Hostile(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        page = ("<html><body><form method=post action='%s/issue'>"
                "<input name=test_type value=confirmed><input name=test_date value=2026-01-01>"
                "<button id=go>Win a prize</button></form></body></html>" % console)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


# Threaded: Chromium may open a speculative second connection that a one-at-a-time server
# would sit reading while the real request waits (a page load that timed out in CI).
hostile = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
hostile.daemon_threads = True
threading.Thread(target=hostile.serve_forever, daemon=True).start()
# Another origin on the same site (127.0.0.1, another port: SameSite lets the
# cookie go), and another site (localhost: it does not).
hostile_origin = "http://127.0.0.1:%d/" % hostile.server_address[1]
hostile_site = "http://localhost:%d/" % hostile.server_address[1]

# --- the browser: headless, its own profile, loopback only
options = webdriver.ChromeOptions()
options.binary_location = CHROMIUM
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--user-data-dir=" + w("profile"), "--window-size=1000,800",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-sync", "--disable-domain-reliability",
            "--disable-client-side-phishing-detection", "--disable-features=Translate",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service(CHROMEDRIVER, log_output=w("chromedriver.log")),
                          options=options)
driver.set_page_load_timeout(30)
shots = []


def shot(name):
    path = os.path.join(SHOTS, name + ".png")
    check(driver.save_screenshot(path), "no screenshot " + path)
    shots.append(path)


def click(element):
    """Clicks a button that loads a page, and waits for that page."""
    page = driver.find_element(By.TAG_NAME, "html")

    def gone(_=None):
        """True once the old page is gone. Under load chromedriver may say so as "Node with
        given id does not belong to the document" instead of a stale element."""
        try:
            page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise

    try:
        element.click()
    except WebDriverException:
        # The click's page load may overtake chromedriver's report of the click; a click
        # that did not happen leaves the old page, which fails the wait below.
        if not gone():
            raise
    WebDriverWait(driver, 20).until(gone)


def text():
    bodies = driver.find_elements(By.TAG_NAME, "body")
    if not bodies:
        fail("no page at " + driver.current_url + ": " + driver.page_source[:500])
    return bodies[0].text


def log_in(name, password, otp):
    driver.get(console + "/login")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "otp").send_keys(otp)
    click(driver.find_element(By.ID, "log-in"))


def log_out():
    click(driver.find_element(By.ID, "logout"))
    check(driver.current_url == console + "/login", "logout did not end on the login page")


try:
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    # A password guesser: the same answer every time, and the account stays usable.
    driver.get(console + "/login")
    check("Log in" in driver.title, "the login page did not load: " + driver.title)
    shot("01-login")
    for guess in ("password1", "ann2026!", "letmein-letmein"):
        log_in("ann", guess, totp(secrets["ann"]))
        check("Wrong name, password or one-time password." in text(),
              "a wrong password was not refused alike: " + text())
    shot("02-login-refused")

    def issue(consent):
        """Fills in the issue form (ticking the consent box or not), issues, and returns the
        short code and the link shown."""
        Select(driver.find_element(By.ID, "test-type")).select_by_value("confirmed")
        # A date input's typing depends on the locale: set its value (ISO) directly.
        driver.execute_script("arguments[0].value = arguments[1]",
                              driver.find_element(By.ID, "test-date"), today)
        box = driver.find_element(By.ID, "share")
        check(not box.is_selected(), "the consent box was ticked before the case worker did")
        if consent:
            box.click()
            check(box.is_selected(), "the consent box did not tick")
        click(driver.find_element(By.ID, "issue"))
        shown = driver.find_element(By.ID, "consent").text
        want = ("the person agreed that their keys are also offered" if consent
                else "no consent to share")
        check(want in shown, "the issued page does not say what was recorded: " + shown)
        code = driver.find_element(By.ID, "short-code").text
        href = driver.find_element(By.ID, "long-code-link").get_attribute("href")
        check(re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code), "short code " + code)
        check(re.fullmatch(r"https://app\.health\.example/v\?c=[a-z0-9]{25}", href), "link " + href)
        return code, href

    def listed(until):
        """index.txt's and peers.txt's batch names, read until |until| holds (10 s at most).
        The relay writes peers.txt after index.txt: a batch is in index.txt before peers.txt
        names it (so peers.txt is read first)."""
        names = {}
        for _ in range(100):
            for name in ("peers.txt", "index.txt"):
                try:
                    with open(os.path.join(w("relay-export"), name)) as f:
                        names[name] = f.read().split()
                except FileNotFoundError:
                    names[name] = []
            if until(names["index.txt"], names["peers.txt"]):
                break
            time.sleep(0.1)
        return names["index.txt"], names["peers.txt"]

    def upload(store, code):
        uploaded = run([PHONE_UPLOAD, "127.0.0.1:%d" % verifier_port,
                        "127.0.0.1:%d" % relay.port, w(store), code])
        check(uploaded.strip() == "keys sent 3 accepted 3", "the phone's upload: " + uploaded)

    # The case worker logs in with password and TOTP and issues a code; the
    # person agrees that their keys also go to the other regions' authorities.
    log_in("ann", "ann's long password", totp(secrets["ann"]))
    check(driver.current_url == console + "/issue", "ann did not reach the issue page")
    shot("03-issue")
    short_code, link = issue(consent=True)
    shot("04-issued")
    # A real client uploads its keys with that code; with the consent in its certificate,
    # the relay releases them in its peer feed (peers.txt, what other authorities' relays
    # follow) as well as to phones.
    upload("phone", short_code)
    index, peers = listed(lambda index, peers: peers)
    check(peers, "the consenting upload's keys are not in the peer feed")
    check(set(peers) <= set(index), "a batch of the peer feed is not in index.txt")
    # Another person, who does not agree: their keys reach phones, not the feed.
    driver.get(console + "/issue")
    second_code, second_link = issue(consent=False)
    upload("phone-2", second_code)
    index_after, _ = listed(lambda i, p: len(i) > len(index))
    check(len(index_after) > len(index), "the second upload's keys were not released")
    # peers.txt is written just after index.txt, in the same pass: read it
    # again once more than a maintenance interval has gone by.
    time.sleep(1.5)
    _, peers_after = listed(lambda i, p: True)
    check(peers_after == peers, "keys without consent went in the peer feed: %s" % peers_after)

    # A case worker cannot reach the admins' pages.
    for admin_page in ("/statistics", "/staff", "/integrations"):
        driver.get(console + admin_page)
        check("Only an admin can see this page." in text(), admin_page + " was open to ann")
    shot("05-caseworker-refused")

    # A form of another origin, posting to the console with ann's cookie:
    # no CSRF token, a foreign Origin. From another site the cookie does not
    # even go (SameSite=Strict): the console sees no session.
    driver.get(hostile_origin)
    click(driver.find_element(By.ID, "go"))
    check("This form was not sent from this console page" in text(),
          "a form from another origin was not refused: " + text())
    shot("06-csrf-refused")
    driver.get(hostile_site)
    click(driver.find_element(By.ID, "go"))
    check(driver.current_url == console + "/login", "a form from another site was not refused")
    driver.get(console + "/issue")
    log_out()
    driver.get(console + "/issue")
    check(driver.current_url == console + "/login", "after logout the issue page stayed open")

    # Someone with bob's password but not his second factor: bob's account
    # locks (nobody else's), and only bob, with both factors, is told.
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        log_in("bob", "bob's long password", guess if guess != totp(secrets["bob"]) else "555555")
        check("Wrong name, password or one-time password." in text(), "a wrong OTP was not refused")
    log_in("bob", "bob's long password", totp(secrets["bob"]))
    check("account locked until" in text(), "bob was not told of the lock: " + text())
    shot("07-locked")

    # The admin: the counts moved; bob is locked; unlock; an integration.
    log_in("root", "the admin's long password", totp(secrets["root"]))
    # The verifier tells its counts at maintenance (every second here).
    for _ in range(50):
        driver.get(console + "/statistics")
        totals = driver.find_element(By.ID, "totals").text
        if today + " 2 2 0" in totals:
            break
        time.sleep(0.2)
    check(today + " 2 2 0" in totals, "totals: " + totals)
    check(today + " ann 2" in driver.find_element(By.ID, "issued").text, "issued by ann")
    shot("08-statistics")
    driver.get(console + "/staff")
    staff = driver.find_element(By.ID, "staff").text
    check("locked until" in staff, "the staff page does not show bob's lock: " + staff)
    shot("09-staff")
    click(driver.find_element(By.XPATH, "//button[@value='unlock']"))
    check("Saved." in text() and "locked until" not in text(), "unlock did not work")
    driver.get(console + "/integrations")
    driver.find_element(By.ID, "new-integration").send_keys("lab")
    click(driver.find_element(By.ID, "add-integration"))
    api_key = driver.find_element(By.ID, "api-key").text
    check(re.fullmatch(r"oen_[0-9a-f]{64}", api_key), "api key " + api_key)
    shot("10-integrations")
    with open(w("lab.key"), "w") as f:
        f.write(api_key + "\n")
    os.chmod(w("lab.key"), 0o600)
    issued = run([VERIFIER, "issue", "--server", "127.0.0.1:%d" % verifier_port, "--api-key-file",
                  w("lab.key"), "--test-type", "confirmed", "--json"])
    check('"short_code"' in issued, "the integration's key issued nothing: " + issued)
    check('"share_with_peers": false' in issued, "no consent was given, but: " + issued)
    lab_codes = re.findall(r'"(?:short|long)_code": "([0-9a-z]+)"', issued)
    check(len(lab_codes) == 2, "the integration's codes: " + issued)
    for _ in range(50):
        driver.get(console + "/statistics")
        if today + " 3 2 0" in driver.find_element(By.ID, "totals").text:
            break
        time.sleep(0.2)
    check(today + " 3 2 0" in driver.find_element(By.ID, "totals").text, "totals after lab")
    check(today + " lab (integration) 1" in driver.find_element(By.ID, "issued").text,
          "issued by lab")
    log_out()
    shot("11-logged-out")
finally:
    driver.quit()
    hostile.shutdown()

# Nothing in the servers' logs names a code, a key or an address of a browser.
verifier.stop()
relay.stop()
logs = "".join(verifier.lines + relay.lines)
for secret in [short_code.replace(" ", ""), link.split("=")[-1], second_code.replace(" ", ""),
               second_link.split("=")[-1], api_key] + lab_codes:
    check(secret not in logs, "a server log holds a code or key")
own = re.sub(r"(listening on |console on http://)127\.0\.0\.1:\d+", "", logs)
check("127.0.0.1" not in own and "localhost" not in own, "a server log names an address:\n" + own)
print("PASS: %d pages, screenshots in %s" % (len(shots), SHOTS))
