"""Drives the real web client in headless Chromium against a real `roost serve`.

Run with tests/browser/run.sh (installs what is missing). Environment:
  ROOST_BIN   the roost binary (default: `swift build --show-bin-path`/roost)
  SCREENSHOTS directory for screenshots (default: docs/screenshots)
"""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOTS = os.environ.get("SCREENSHOTS", os.path.join(ROOT, "docs", "screenshots"))
WAIT = 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def roost_binary():
    if os.environ.get("ROOST_BIN"):
        return os.environ["ROOST_BIN"]
    path = subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=ROOT, text=True).strip()
    return os.path.join(path, "roost")


def png(width, height):
    """A small gradient PNG, written without any imaging library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class Server:
    def __init__(self):
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="roost-web-")
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.process = subprocess.Popen(
            [roost_binary(), "serve", "--port", str(self.port), "--data", self.data, "--bcrypt-cost", "4",
             "--web-root", os.path.join(ROOT, "Resources", "web"), "--retry-interval", "1",
             "--presence-debounce", "0.5"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise RuntimeError("server did not start: " + open(self.log.name).read())
                time.sleep(0.2)

    def api(self, path, token):
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as r:
            return json.load(r)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)


class Person:
    """One browser (its own profile, so its own IndexedDB and device) used like a person would."""

    def __init__(self, server, name, width=1200, height=800):
        options = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    f"--window-size={width},{height}", "--lang=en-US"):
            options.add_argument(arg)
        options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
        if width < 500:  # below Chrome's smallest window: emulate a phone screen
            options.add_experimental_option("mobileEmulation", {"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 1}})
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
        self.server = server
        self.name = name
        self.password = f"secret-{name}-pw"
        self.logs = []

    def wait(self, condition, message, timeout=WAIT):
        # The client re-renders lists as items arrive: an element may go stale between lookups.
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(), message)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css):
        found = self.finds(css)
        return bool(found) and found[0].is_displayed()

    def register(self):
        self.driver.get(self.server.url + "/")
        self.wait(lambda: self.visible("#login-username"), "sign-in form")
        self.find("#login-username").send_keys(self.name)
        self.find("#login-password").send_keys(self.password)
        self.find("#register-submit").click()
        self.wait_online()

    def wait_online(self):
        self.wait(lambda: self.find("#conn-state").get_attribute("data-state") == "online", f"{self.name} online")

    def token(self):
        return json.loads(self.driver.execute_script("return localStorage.getItem('roost.session')"))["token"]

    def open_chat(self, username):
        box = self.find("#new-chat-username")
        box.clear()
        box.send_keys(username, Keys.ENTER)
        self.wait(lambda: self.find("#chat-title").text == username, f"chat with {username}")

    def open_conversation(self, title):
        def click():
            return self.driver.execute_script(
                "for (const li of document.querySelectorAll('#conversation-list li')) {"
                "  if (li.querySelector('.conv-name').textContent === arguments[0]) {"
                "    li.querySelector('button').click(); return true; } }"
                "return false;", title)
        self.wait(click, f"{self.name}: conversation {title} in the list")
        self.wait(lambda: self.find("#chat-title").text == title, f"{title} open")

    def say(self, text):
        box = self.find("#message-input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def texts(self):
        return self.driver.execute_script(
            "return [...document.querySelectorAll('#message-list .msg .text')].map(e => e.textContent)")

    def wait_text(self, text):
        self.wait(lambda: text in self.texts(), f"{self.name} sees {text!r}; has {self.texts()}")

    def badge(self, title):
        return self.driver.execute_script(
            "for (const li of document.querySelectorAll('#conversation-list li')) {"
            "  if (li.querySelector('.conv-name').textContent === arguments[0]) {"
            "    const b = li.querySelector('.badge'); return b ? b.textContent : ''; } }"
            "return null;", title)

    def offline(self, offline):
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    def shot(self, name):
        os.makedirs(SHOTS, exist_ok=True)
        self.driver.save_screenshot(os.path.join(SHOTS, name))

    def collect_logs(self):
        self.logs += self.driver.get_log("browser")
        return self.logs

    def quit(self):
        try:
            self.collect_logs()
        finally:
            self.driver.quit()


class WebClientTest(unittest.TestCase):
    def setUp(self):
        self.server = Server()
        self.people = []
        stamp = str(int(time.time() * 1000) % 100000)
        self.names = {k: f"{k}{stamp}" for k in ("alice", "bob", "carol")}

    def tearDown(self):
        for person in self.people:
            person.quit()
        self.server.stop()

    def person(self, key, **kwargs):
        p = Person(self.server, self.names[key], **kwargs)
        self.people.append(p)
        return p

    def assert_no_console_errors(self):
        for p in self.people:
            severe = [e for e in p.collect_logs() if e.get("level") == "SEVERE"]
            self.assertEqual(severe, [], f"console errors in {p.name}'s browser")

    def test_people_chat_go_offline_group_and_images(self):
        alice, bob = self.person("alice"), self.person("bob")
        alice.driver.get(self.server.url + "/")
        alice.wait(lambda: alice.visible("#login-form"), "sign-in form")
        alice.shot("web-login.png")
        alice.register()
        bob.register()

        # 1:1: alice writes, bob sees an unread badge, opens, reads; alice sees "Read".
        alice.open_chat(bob.name)
        alice.say("Hi Bob, are you there?")
        alice.wait_text("Hi Bob, are you there?")
        bob.wait(lambda: bob.badge(alice.name) == "1", "unread badge 1 for bob")
        bob.open_conversation(alice.name)
        bob.wait_text("Hi Bob, are you there?")
        alice.wait(lambda: any(e.text == "Read" for e in alice.finds(".receipt")), "read receipt")
        alice.wait(lambda: alice.find("#chat-sub").text == "online", "presence online")

        # Typing indicator, then a reply.
        bob.find("#message-input").send_keys("Yes")
        alice.wait(lambda: "is typing" in alice.find("#typing").text, "typing indicator")
        bob.find("#message-input").send_keys(", here!", Keys.ENTER)
        alice.wait_text("Yes, here!")
        alice.shot("web-chat.png")

        # Bob loses the network; both write; bob comes back: each message exactly once.
        bob.offline(True)
        bob.wait(lambda: bob.find("#conn-state").get_attribute("data-state") == "offline", "bob offline")
        bob.say("written on the train")
        bob.wait(lambda: any(e.text == "queued" for e in bob.finds(".msg.pending .state")), "queued message")
        self.assertIn("queued", bob.find("#conn-state").text)
        for n in (1, 2):
            alice.say(f"while you were away {n}")
        alice.wait_text("while you were away 2")
        bob.shot("web-offline.png")
        time.sleep(1)
        self.assertNotIn("while you were away 1", bob.texts())
        bob.offline(False)
        bob.wait_online()
        bob.wait_text("while you were away 2")
        alice.wait_text("written on the train")
        time.sleep(1.5)  # let any retried push or resend arrive
        for person, text in ((bob, "while you were away 1"), (bob, "while you were away 2"),
                             (alice, "written on the train"), (bob, "written on the train")):
            self.assertEqual(person.texts().count(text), 1, f"{person.name}: {text!r} exactly once")
        self.assertEqual(bob.finds(".msg.pending"), [])
        history = self.server.api(f"/api/messages?conversation=u:{self.user_id(bob)}", alice.token())
        stored = [m["content"].get("text") for m in history["messages"]]
        self.assertEqual(stored.count("written on the train"), 1, "stored once on the server")

        # A reload keeps everything (IndexedDB), still once each.
        bob.driver.refresh()
        bob.wait_online()
        bob.open_conversation(alice.name)
        bob.wait_text("written on the train")
        self.assertEqual(bob.texts().count("while you were away 1"), 1)

        # Recall within the window.
        alice.say("oops, wrong chat")
        alice.wait_text("oops, wrong chat")
        bob.wait_text("oops, wrong chat")
        alice.wait(lambda: alice.finds("#message-list .msg.mine:last-child .recall"), "recall button")
        alice.find("#message-list .msg.mine:last-child .recall").click()
        bob.wait(lambda: "oops, wrong chat" not in bob.texts(), "recalled at bob")
        bob.wait(lambda: any("Message recalled" in e.text for e in bob.finds(".msg.recalled")), "recalled label")

        # A group of three.
        carol = self.person("carol")
        carol.register()
        alice.find("#new-group").click()
        alice.find("#group-name").send_keys("Weekend trip")
        alice.find("#group-members").send_keys(f"{bob.name}, {carol.name}")
        alice.find("#group-form button[type=submit]").click()
        alice.wait(lambda: alice.find("#chat-title").text == "Weekend trip", "group open")
        alice.say("Who brings the tent?")
        for p in (bob, carol):
            p.open_conversation("Weekend trip")
            p.wait_text("Who brings the tent?")
        bob.say("I will")
        carol.say("I bring snacks")
        for p in (alice, bob, carol):
            p.wait_text("I will")
            p.wait_text("I bring snacks")
            for text in ("Who brings the tent?", "I will", "I bring snacks"):
                self.assertEqual(p.texts().count(text), 1, f"{p.name}: {text!r} once")

        # An image, shown inline at the others; and a file as a download link.
        image = os.path.join(self.server.data, "sunset.png")
        with open(image, "wb") as f:
            f.write(png(160, 96))
        alice.find("#file-input").send_keys(image)
        for p in (alice, bob, carol):
            p.wait(lambda: p.driver.execute_script(
                "const i = document.querySelector('#message-list img.inline-image');"
                "return !!i && i.complete && i.naturalWidth === 160 && i.src.startsWith('blob:');"),
                f"{p.name} sees the image inline")
        notes = os.path.join(self.server.data, "packing-list.txt")
        with open(notes, "w") as f:
            f.write("tent\nsnacks\n")
        bob.find("#file-input").send_keys(notes)
        carol.wait(lambda: any("packing-list.txt" in e.text for e in carol.finds(".file-link")), "file link")
        carol.say("Looks great!")
        bob.wait_text("Looks great!")
        bob.shot("web-group.png")

        # Carol leaves; the others see she is gone from the member list.
        carol.driver.execute_script("window.confirm = () => true")
        carol.find("#leave-group").click()
        carol.wait(lambda: carol.badge("Weekend trip") is None, "group gone for carol")
        alice.wait(lambda: carol.name not in alice.find("#chat-sub").text, "member list updated")

        self.assert_no_console_errors()

    def test_phone_layout(self):
        alice = self.person("alice", width=390, height=844)
        bob = self.person("bob")
        alice.register()
        bob.register()
        bob.open_chat(alice.name)
        bob.say("Lunch at noon?")
        alice.open_conversation(bob.name)
        self.assertFalse(alice.find("#sidebar").is_displayed(), "the chat covers the list on a phone")
        alice.wait_text("Lunch at noon?")
        alice.say("Sure, see you there")
        bob.wait_text("Sure, see you there")
        alice.shot("web-phone.png")
        alice.find("#back").click()
        alice.wait(lambda: alice.find("#sidebar").is_displayed(), "back to the list")
        self.assert_no_console_errors()

    def user_id(self, person):
        return json.loads(person.driver.execute_script("return localStorage.getItem('roost.session')"))["user_id"]


if __name__ == "__main__":
    unittest.main(verbosity=2)
