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
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

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


def has_section9(binary):
    """Whether the server implements PROTOCOL.md section 9 (edit, react, search): its `serve` takes
    --edit-window. ROOST_SECTION9=1 or 0 overrides the guess."""
    forced = os.environ.get("ROOST_SECTION9")
    if forced is not None:
        return forced == "1"
    try:
        out = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30)
        return "edit-window" in (out.stdout + out.stderr)
    except (OSError, subprocess.SubprocessError):
        return False


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

    def register(self, username, password):
        """An account made over HTTP only (a member who never opens a browser)."""
        request = urllib.request.Request(self.url + "/api/register", method="POST",
                                         data=json.dumps({"username": username, "password": password}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as r:
            return json.load(r)["user_id"]

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

    def message(self, text):
        """The message row (li) whose text is `text`."""
        return self.driver.execute_script(
            "for (const li of document.querySelectorAll('#message-list .msg')) {"
            "  const t = li.querySelector('.text'); if (t && t.textContent === arguments[0]) return li; }"
            "return null;", text)

    def in_message(self, text, script, *args):
        """Runs `script` with `li` bound to the row of `text` (null when absent); more arguments from 1."""
        return self.driver.execute_script(
            "let li = null; for (const m of document.querySelectorAll('#message-list .msg')) {"
            "  const t = m.querySelector('.text'); if (t && t.textContent === arguments[0]) li = m; }"
            "if (!li) return null;" + script, text, *args)

    def action(self, text, css):
        """Hovers the message like a mouse user, then clicks one of its buttons."""
        def go():
            li = self.message(text)
            if not li:
                return False
            ActionChains(self.driver).move_to_element(li.find_element(By.CSS_SELECTOR, ".bubble")).perform()
            buttons = li.find_elements(By.CSS_SELECTOR, css)
            if not buttons:
                return False
            ActionChains(self.driver).move_to_element(buttons[0]).click().perform()
            return True
        self.wait(go, f"{self.name}: {css} on {text!r}")

    def react(self, text, emoji):
        self.action(text, ".react-open")
        self.wait(lambda: self.finds(".picker .pick"), "reaction picker")
        self.driver.execute_script(
            "for (const b of document.querySelectorAll('.picker .pick')) if (b.textContent === arguments[0]) b.click();",
            emoji)

    def chips(self, text):
        return self.in_message(text, "return [...li.querySelectorAll('.reactions .chip')].map("
                                     "c => c.textContent + (c.classList.contains('mine') ? ' mine' : ''));") or []

    def click_chip(self, text, emoji):
        self.in_message(text, "for (const c of li.querySelectorAll('.reactions .chip'))"
                              "  if (c.querySelector('.chip-emoji').textContent === arguments[1]) c.click();"
                              "return true;", emoji)

    def quote_of(self, text):
        return self.in_message(text, "const q = li.querySelector('.quote-text'); return q ? q.textContent : '';")

    def edited(self, text):
        return self.in_message(text, "return !!li.querySelector('.meta .edited');")

    def mention_badge(self, title):
        return self.driver.execute_script(
            "for (const li of document.querySelectorAll('#conversation-list li')) {"
            "  if (li.querySelector('.conv-name').textContent === arguments[0]) {"
            "    const b = li.querySelector('.mention-badge'); return b ? b.textContent : ''; } }"
            "return null;", title)

    def mouse_away(self):
        ActionChains(self.driver).move_to_element(self.find("#chat-title")).perform()

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

    @unittest.skipUnless(has_section9(roost_binary()), "the server lacks PROTOCOL.md section 9 (set ROOST_SECTION9=1)")
    def test_block_and_unblock_from_the_chat_header(self):
        alice, bob = self.person("alice"), self.person("bob")
        alice.register()
        bob.register()
        alice.open_chat(bob.name)
        alice.say("Before the block")
        bob.open_conversation(alice.name)
        bob.wait_text("Before the block")
        alice.wait(lambda: alice.find("#chat-sub").text == "online", "bob online in alice's header")

        alice.driver.execute_script("window.confirm = () => true")
        alice.find("#block-user").click()
        alice.wait(lambda: alice.find("#block-user").text == "Unblock", "Unblock offered")
        alice.wait(lambda: alice.find("#chat-sub").text == "blocked", "the header says blocked")
        bob_id = self.server.api("/api/me", bob.token())["user_id"]
        self.assertEqual(self.server.api("/api/blocks", alice.token())["user_ids"], [bob_id])

        # Bob's message is refused (forbidden): his client drops it and says why.
        bob.say("While blocked")
        bob.wait(lambda: bob.visible("#toast") and "accept" in bob.find("#toast").text, "bob told the send was refused")
        bob.wait(lambda: "While blocked" not in bob.texts(), "the refused message leaves bob's chat")

        alice.find("#block-user").click()
        alice.wait(lambda: alice.find("#block-user").text == "Block", "Block offered again")
        self.assertEqual(self.server.api("/api/blocks", alice.token())["user_ids"], [])
        bob.say("After the unblock")
        alice.wait_text("After the unblock")
        self.assertNotIn("While blocked", alice.texts())
        self.assert_no_console_errors()

    @unittest.skipUnless(has_section9(roost_binary()), "the server lacks PROTOCOL.md section 9 (set ROOST_SECTION9=1)")
    def test_edit_reply_mention_react_search(self):
        alice, bob = self.person("alice"), self.person("bob")
        alice.register()
        bob.register()
        carol = self.names["carol"]
        self.server.register(carol, "secret-carol-pw")
        alice.find("#new-group").click()
        alice.find("#group-name").send_keys("Trip planning")
        alice.find("#group-members").send_keys(f"{bob.name}, {carol}")
        alice.find("#group-form button[type=submit]").click()
        alice.wait(lambda: alice.find("#chat-title").text == "Trip planning", "group open")
        question = "Who is driving on Saturday?"
        alice.say(question)
        bob.open_conversation("Trip planning")
        bob.wait_text(question)

        # A reply: the reply bar, then the quote of the original on both sides.
        bob.action(question, ".reply")
        bob.wait(lambda: "Replying to " + alice.name in bob.find("#composer-context").text, "reply bar")
        van = "I can drive, the van has room for four"
        bob.say(van)
        for p in (alice, bob):
            p.wait(lambda: p.quote_of(van) == question, f"{p.name} sees the quote")
        self.assertFalse(bob.find("#composer-context").is_displayed(), "reply bar gone after sending")

        # A mention, completed from the participants: highlighted at bob, "@" badge while he is elsewhere.
        bob.open_chat(alice.name)
        bob.say("Packing tonight, see you Saturday!")
        box = alice.find("#message-input")
        box.send_keys("Great! @" + bob.name[:2])
        alice.wait(lambda: bob.name in alice.find("#mention-list").text, "mention suggestion")
        box.send_keys(Keys.TAB)
        box.send_keys("can you bring the map?", Keys.ENTER)
        mention = f"Great! @{bob.name} can you bring the map?"
        alice.wait_text(mention)
        bob.wait(lambda: bob.mention_badge("Trip planning") == "@", "@ badge at bob")
        entry = [c for c in self.server.api("/api/conversations", bob.token())["conversations"]
                 if c["conversation"].startswith("g:")][0]
        self.assertEqual(entry.get("mentions"), 1, "the server counts the unread mention")
        bob.open_conversation("Trip planning")
        bob.wait_text(mention)
        bob.wait(lambda: bob.in_message(mention, "return li.classList.contains('mentioned')"), "mention highlighted")
        self.assertEqual(bob.in_message(mention, "return li.querySelector('.mention.of-me').textContent"), "@" + bob.name)
        self.assertFalse(alice.in_message(mention, "return li.classList.contains('mentioned')"), "not for alice")
        bob.wait(lambda: bob.mention_badge("Trip planning") == "", "@ badge gone once read")

        # Reactions: chips with counts on both sides, mine highlighted; taking one back.
        bob.react(mention, "👍")
        alice.wait(lambda: alice.chips(mention) == ["👍 1"], f"alice sees 👍 1; has {alice.chips(mention)}")
        alice.click_chip(mention, "👍")
        bob.wait(lambda: bob.chips(mention) == ["👍 2 mine"], f"bob sees 👍 2; has {bob.chips(mention)}")
        alice.wait(lambda: alice.chips(mention) == ["👍 2 mine"], "alice's chip is hers too")
        bob.click_chip(mention, "👍")
        alice.wait(lambda: alice.chips(mention) == ["👍 1 mine"], "bob took his back")
        bob.wait(lambda: bob.chips(mention) == ["👍 1"], "bob's chip no longer his")
        bob.click_chip(mention, "👍")
        alice.wait(lambda: alice.chips(mention) == ["👍 2 mine"], "bob reacted again")
        alice.react(van, "❤️")
        bob.wait(lambda: bob.chips(van) == ["❤️ 1"], "❤️ on the van message")

        # An edit: "(edited)" and the new text at bob, and his reply quotes the new text.
        alice.action(question, ".edit")
        alice.wait(lambda: alice.find("#message-input").get_attribute("value") == question, "edit loads the text")
        self.assertIn("Editing", alice.find("#composer-context").text)
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("Who is driving on Saturday morning?", Keys.ENTER)
        edited = "Who is driving on Saturday morning?"
        for p in (alice, bob):
            p.wait_text(edited)
            p.wait(lambda: p.edited(edited), f"{p.name} sees (edited)")
            p.wait(lambda: p.quote_of(van) == edited, f"{p.name}'s quote follows the edit")
        self.assertNotIn(question, bob.texts())

        # Edits and reactions made while bob is offline arrive on sync; ↑ edits the last own message.
        alice.say("Meet at 8 at the station")
        bob.wait_text("Meet at 8 at the station")
        bob.offline(True)
        bob.wait(lambda: bob.find("#conn-state").get_attribute("data-state") == "offline", "bob offline")
        alice.wait(lambda: alice.find("#message-input").get_attribute("value") == "", "composer empty")
        box.send_keys(Keys.ARROW_UP)
        alice.wait(lambda: alice.find("#message-input").get_attribute("value") == "Meet at 8 at the station",
                   "↑ edits the last message")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("Meet at 9 at the station", Keys.ENTER)
        alice.wait_text("Meet at 9 at the station")
        alice.react(van, "😂")
        alice.wait(lambda: alice.chips(van) == ["❤️ 1 mine", "😂 1 mine"], f"alice's chips; has {alice.chips(van)}")
        time.sleep(0.5)
        self.assertIn("Meet at 8 at the station", bob.texts())
        bob.offline(False)
        bob.wait_online()
        bob.wait_text("Meet at 9 at the station")
        bob.wait(lambda: bob.edited("Meet at 9 at the station"), "offline edit marked")
        bob.wait(lambda: bob.chips(van) == ["❤️ 1", "😂 1"], f"offline reaction; has {bob.chips(van)}")
        bob.driver.refresh()  # kept in IndexedDB
        bob.wait_online()
        bob.open_conversation("Trip planning")
        bob.wait_text("Meet at 9 at the station")
        self.assertTrue(bob.edited("Meet at 9 at the station"))
        self.assertEqual(bob.chips(mention), ["👍 2 mine"])
        self.assertEqual(bob.texts().count("Meet at 9 at the station"), 1)

        # Search: snippets as text, query words marked; a result opens its conversation.
        bob.open_chat(alice.name)
        bob.find("#search-input").send_keys("van", Keys.ENTER)
        bob.wait(lambda: any("van" in e.text for e in bob.finds("#result-list .snippet")), "search result")
        self.assertIn("van", [e.text.lower() for e in bob.finds("#result-list .snippet mark")])
        self.assertFalse(bob.find("#conversation-list").is_displayed(), "results replace the list")
        bob.shot("web-search.png")
        bob.finds("#result-list .result")[0].click()
        bob.wait(lambda: bob.find("#chat-title").text == "Trip planning", "result opens the group")
        bob.wait(lambda: bob.in_message(van, "return li.classList.contains('flash')"), "found message flashes")
        # Within this chat only; edited text is found by its new words.
        Select(bob.find("#search-scope")).select_by_value("active")
        box = bob.find("#search-input")
        box.clear()
        box.send_keys("morning", Keys.ENTER)
        bob.wait(lambda: any("morning" in e.text for e in bob.finds("#result-list .snippet")), "scoped search")
        self.assertIn("in Trip planning", bob.find("#search-status").text)
        bob.find("#search-close").click()
        bob.wait(lambda: bob.find("#conversation-list").is_displayed(), "list back")

        # Bob answers the mention with a reply, for the picture.
        bob.action(mention, ".reply")
        bob.say("Sure, I have the map 🗺️")
        alice.wait(lambda: alice.quote_of("Sure, I have the map 🗺️") == mention, "second quote")
        bob.react(edited, "🎉")
        alice.wait(lambda: alice.chips(edited) == ["🎉 1"], "🎉 on the edited message")
        bob.mouse_away()
        time.sleep(0.4)
        bob.shot("web-features.png")
        self.assert_no_console_errors()

    def user_id(self, person):
        return json.loads(person.driver.execute_script("return localStorage.getItem('roost.session')"))["user_id"]


if __name__ == "__main__":
    unittest.main(verbosity=2)
