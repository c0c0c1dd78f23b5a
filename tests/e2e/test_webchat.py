"""The web chat page as a business owner on a phone sees it, against the real app and dialogue engine."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from knowledge.catalog import load_catalog

QUESTION = "Hóa đơn điện tử lập sai thì xử lý thế nào?"
FEEDBACK_BUTTONS = ("Hữu ích", "Chưa đúng", "Gửi phản ánh")
REPLY_TIMEOUT_MS = 60_000  # the first answer may wait for the model to load
INPUT_LABEL = "Câu hỏi hoặc nội dung phản ánh"


@pytest.fixture
def chat(page: Page, chat_server_url: str) -> Page:
    page.goto(chat_server_url.rstrip("/") + "/")
    expect(page.locator(".greeting")).to_be_visible()
    return page


def textbox(page: Page):
    return page.get_by_role("textbox", name=INPUT_LABEL)


def bot_messages(page: Page):
    return page.locator(".msg-bot:not(.greeting)")


def say(page: Page, text: str) -> None:
    """Type a message, press Enter, and wait until the bot has answered it."""
    answered = bot_messages(page).count()
    textbox(page).fill(text)
    textbox(page).press("Enter")
    expect(bot_messages(page).nth(answered)).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#status")).to_have_text("")


def test_page_greets_in_vietnamese_and_offers_topics(chat: Page) -> None:
    assert chat.locator("html").get_attribute("lang") == "vi"
    expect(chat.get_by_role("heading", name="Đồng hành")).to_be_visible()
    greeting = chat.locator(".greeting")
    for words in ("thuế", "hải quan", "đầu tư", "tín dụng", "đất đai", "xây dựng", "phản ánh", "PA-2026-000123"):
        expect(greeting).to_contain_text(words)
    expect(chat.locator("footer")).to_contain_text("thông tin tham khảo")
    expect(chat.locator("footer")).to_contain_text("Thành phố Hồ Chí Minh")
    expect(chat.get_by_role("button", name="Gửi", exact=True)).to_be_disabled()
    for topic in load_catalog().topics.values():
        expect(greeting.get_by_role("button", name=topic.name, exact=True)).to_be_visible()

    greeting.get_by_role("button", name="Thuế", exact=True).click()
    expect(textbox(chat)).to_have_value("Tôi muốn hỏi về thuế: ")
    expect(textbox(chat)).to_be_focused()
    expect(chat.get_by_role("button", name="Gửi", exact=True)).to_be_enabled()


def test_question_gets_a_sourced_answer_with_feedback_buttons(chat: Page) -> None:
    held: list[Route] = []

    def hold(route: Route) -> None:  # a bound method cannot be a Playwright handler
        held.append(route)

    chat.route("**/api/chat", hold)  # hold the request to see the page while it waits
    textbox(chat).fill(QUESTION)
    textbox(chat).press("Enter")

    expect(chat.locator(".msg-user .msg-text")).to_have_text(QUESTION)
    expect(chat.locator("#status")).to_have_text("Đang trả lời…")
    expect(chat.get_by_role("button", name="Gửi", exact=True)).to_be_disabled()
    expect(textbox(chat)).to_have_value("")
    assert held[0].request.post_data_json == {
        "session": chat.evaluate("localStorage['donghanh.session']"),
        "text": QUESTION,
    }
    held[0].continue_()

    answer = bot_messages(chat).filter(has_text="Nguồn:")
    expect(answer.first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    for title in FEEDBACK_BUTTONS:
        expect(chat.get_by_role("button", name=title, exact=True)).to_be_enabled()
    expect(chat.locator("#status")).to_have_text("")
    expect(textbox(chat)).to_be_focused()


def test_report_button_sends_its_payload_and_the_bot_asks_on(chat: Page) -> None:
    say(chat, QUESTION)
    report = chat.get_by_role("button", name="Gửi phản ánh", exact=True)
    expect(report).to_be_enabled(timeout=REPLY_TIMEOUT_MS)
    payload = report.get_attribute("data-payload")
    answered = bot_messages(chat).count()

    with chat.expect_request(lambda r: r.url.endswith("/api/chat") and r.method == "POST") as sent:
        report.click()
    body = sent.value.post_data_json
    assert set(body) == {"session", "payload"} and body["payload"] == payload

    expect(chat.locator(".msg-user .msg-text").last).to_have_text("Gửi phản ánh")
    question = bot_messages(chat).nth(answered)
    expect(question).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    expect(question).to_contain_text("phản ánh")  # the filing dialogue has started
    for title in FEEDBACK_BUTTONS:
        expect(chat.get_by_role("button", name=title, exact=True)).to_be_disabled()


def test_markup_in_a_message_is_shown_as_text(chat: Page) -> None:
    dialogs: list[str] = []
    chat.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    text = '<script>alert(1)</script> <img src=x onerror="alert(2)"> https://example.com/"><b>x</b>'

    say(chat, text)

    expect(chat.locator(".msg-user .msg-text")).to_have_text(text)
    assert chat.locator("#log script, #log img, #log b").count() == 0
    chat.wait_for_timeout(300)  # time for an injected handler to have fired
    assert dialogs == []


def test_long_paste_is_held_back_with_a_counter(chat: Page) -> None:
    pasted = ("Doanh nghiệp phản ánh việc hoàn thuế giá trị gia tăng bị chậm. " * 80)[:5000]
    textbox(chat).focus()
    chat.keyboard.insert_text(pasted)

    counter = chat.locator("#counter")
    expect(counter).to_be_visible()
    expect(counter).to_contain_text("5000/4096")
    expect(textbox(chat)).to_have_attribute("aria-invalid", "true")
    send = chat.get_by_role("button", name="Gửi", exact=True)
    expect(send).to_be_disabled()
    textbox(chat).press("Enter")
    expect(chat.locator(".msg-user")).to_have_count(0)
    assert len(textbox(chat).input_value()) == 5000  # nothing the user pasted is lost

    textbox(chat).fill(pasted[:4096])
    expect(counter).to_have_text("4096/4096 ký tự")
    expect(send).to_be_enabled()


def test_no_horizontal_scroll_on_a_360px_phone(chat: Page) -> None:
    chat.set_viewport_size({"width": 360, "height": 740})
    no_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert chat.evaluate(no_scroll)

    link = "https://dichvucong.hochiminhcity.gov.vn/" + "a" * 200
    say(chat, f"Xem trang {link} giúp tôi")
    anchor = chat.locator(".msg-user a")
    expect(anchor).to_have_attribute("href", link)
    expect(anchor).to_have_attribute("rel", "noopener noreferrer")
    expect(anchor).to_have_attribute("target", "_blank")
    textbox(chat).fill("x" * 3000)
    assert chat.evaluate(no_scroll)


def test_reload_continues_and_new_chat_starts_afresh(chat: Page) -> None:
    say(chat, QUESTION)
    session = chat.evaluate("localStorage['donghanh.session']")

    chat.reload()
    expect(chat.locator(".msg-user .msg-text")).to_have_text(QUESTION)
    expect(bot_messages(chat).filter(has_text="Nguồn:").first).to_be_visible()
    expect(chat.get_by_role("button", name="Hữu ích", exact=True)).to_be_enabled()
    assert chat.evaluate("localStorage['donghanh.session']") == session

    chat.once("dialog", lambda dialog: dialog.accept())
    chat.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(chat.locator(".msg-user")).to_have_count(0)
    expect(bot_messages(chat)).to_have_count(0)
    expect(textbox(chat)).to_be_focused()
    assert chat.evaluate("localStorage['donghanh.session']") not in (None, session)


def test_errors_are_explained_and_the_text_is_kept(chat: Page) -> None:
    chat.route("**/api/chat", lambda route: route.fulfill(status=422, json={"error": "Yêu cầu không hợp lệ: thử lại."}))
    textbox(chat).fill("Thủ tục cấp giấy phép xây dựng?")
    textbox(chat).press("Enter")
    expect(chat.get_by_role("alert")).to_have_text("Yêu cầu không hợp lệ: thử lại.")
    expect(textbox(chat)).to_have_value("Thủ tục cấp giấy phép xây dựng?")
    expect(chat.locator(".msg-user")).to_have_count(0)

    chat.unroute("**/api/chat")
    chat.route("**/api/chat", lambda route: route.abort("internetdisconnected"))
    chat.get_by_role("button", name="Gửi", exact=True).click()
    expect(chat.get_by_role("alert")).to_contain_text("Không kết nối được với máy chủ")
    expect(textbox(chat)).to_have_value("Thủ tục cấp giấy phép xây dựng?")


def test_later_messages_arrive_by_polling(page: Page, chat_server_url: str) -> None:
    later = {
        "text": "Cục Thuế đã trả lời phản ánh PA-2026-000123.\nXin đánh giá từ 1 đến 5.",
        "buttons": [{"title": "5", "payload": "rate:5"}],
    }
    queue = [{"replies": [later]}]
    page.route("**/api/chat/updates?*", lambda route: route.fulfill(json=queue.pop() if queue else {"replies": []}))
    page.goto(chat_server_url.rstrip("/") + "/")
    message = bot_messages(page).filter(has_text="PA-2026-000123")
    expect(message).to_be_visible()
    expect(message.get_by_role("button", name="5", exact=True)).to_be_enabled()
