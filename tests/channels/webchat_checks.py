"""Browser checks of the web chat, shared by the local stack test and the full-stack e2e test.

Each function drives a real page the way a resident does (keyboard, small
screen, reduced motion, reload) and asserts what they would notice.
"""
from __future__ import annotations

from pathlib import Path

from tests.channels.browser import axe_violations

REPORTS = Path(__file__).resolve().parents[2] / "reports"
LOG = ".sesame-log"
BOT = ".sesame-msg-bot"
USER = ".sesame-msg-user"


def focused_text(page) -> str:
    return page.evaluate("() => (document.activeElement && (document.activeElement.textContent"
                         " || document.activeElement.id || document.activeElement.tagName)) || ''")


def tab_until(page, predicate_js: str, key: str = "Tab", limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }}"):
            return
    raise AssertionError(f"focus never reached an element where {predicate_js}")


def open_by_keyboard(page) -> None:
    tab_until(page, "el.classList.contains('sesame-launcher')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".sesame-panel:not([hidden])")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"


def wait_bot_count(page, count: int, timeout: float = 30_000) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length >= {count}", timeout=timeout)


def check_log_present_from_load(page) -> None:
    log = page.locator(LOG)
    assert log.count() == 1
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    assert page.locator(".sesame-launcher").get_attribute("aria-expanded") == "false"


def check_axe(page, when: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe violations ({when}): {violations}"


def keyboard_conversation(page, typed: str) -> None:
    """Open, get the greeting, type a message, pick a choice, close with Escape: keyboard only."""
    open_by_keyboard(page)
    label = page.locator(".sesame-form label")
    assert label.is_visible() and label.inner_text() == "Votre message"
    wait_bot_count(page, 1)
    assert page.locator(f"{BOT} .sesame-choices button").count() >= 2
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.querySelectorAll('{USER}').length >= 1")
    wait_bot_count(page, 2)
    # Back from the input to the choices of the greeting, by keyboard.
    page.locator("textarea").focus()
    tab_until(page, "el.closest('.sesame-choices') !== null", key="Shift+Tab")
    choice = focused_text(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"(t) => [...document.querySelectorAll('{USER}')].some(m => m.textContent.includes(t))", arg=choice
    )
    assert page.locator(".sesame-choices").count() == 0  # answered: the buttons go
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    wait_bot_count(page, 3)


def check_escape_returns_focus(page) -> None:
    page.locator("textarea").focus()
    page.keyboard.press("Escape")
    assert page.locator(".sesame-panel").is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('sesame-launcher')")
    assert page.locator(".sesame-launcher").get_attribute("aria-expanded") == "false"


def check_targets_and_reflow(page, width: int = 320) -> None:
    page.set_viewport_size({"width": width, "height": 640})
    page.wait_for_timeout(100)
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= width, f"horizontal scroll at {width} px: {overflow}"
    box = page.locator(".sesame-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.sesame-chat button, .sesame-chat textarea')]"
        ".filter(b => b.offsetParent !== null).map(b => [b.textContent, b.getBoundingClientRect().width, b.getBoundingClientRect().height])"
    )
    small = [s for s in sizes if s[1] < 24 or s[2] < 24]
    assert sizes and not small, f"targets under 24 px: {small}"


def check_larger_text(page) -> None:
    before = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.sesame-msg p')).fontSize)")
    toggle = page.get_by_role("button", name="Texte plus grand")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    after = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.sesame-msg p')).fontSize)")
    assert after >= before * 1.2


def check_listen(page) -> None:
    listen = page.locator(f"{BOT} .sesame-listen").last
    assert listen.inner_text() == "Écouter"
    listen.click()
    spoken = page.evaluate("() => window.__spoken || []")
    assert spoken and spoken[-1]["lang"] == "fr-FR" and spoken[-1]["text"]


# Records speech instead of needing an audio device in headless Chromium.
SPEECH_RECORDER = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); };
}
"""


def check_reduced_motion(page, reduced: bool) -> None:
    page.evaluate("() => window.SesameChat.open()")
    animation = page.evaluate("() => getComputedStyle(document.querySelector('.sesame-panel')).animationName")
    scroll = page.evaluate("() => getComputedStyle(document.querySelector('.sesame-log')).scrollBehavior")
    if reduced:
        assert animation == "none" and scroll == "auto"
    else:
        assert animation == "sesame-in" and scroll == "smooth"


def screenshot(page, name: str) -> Path:
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / name
    page.screenshot(path=str(path), full_page=False)
    return path


CONTRAST_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('.sesame-chat button, .sesame-chat textarea')]
    .filter((el) => el.offsetParent !== null)
    .map((el) => {
      const s = getComputedStyle(el);
      const own = rgb(s.backgroundColor);
      const fill = own.length === 3 || (own.length === 4 && own[3] > 0) ? own.slice(0, 3) : null;
      const border = rgb(s.borderTopColor).slice(0, 3);
      const bg = background(el);
      // A component is perceivable if its border, or its own fill, stands out from what surrounds it.
      const best = Math.max(ratio(border, bg), fill ? ratio(fill, bg) : 0);
      return [el.textContent.trim() || el.tagName, Math.round(best * 100) / 100];
    });
}
"""


def check_component_contrast(page) -> None:
    """Non-text contrast (WCAG 1.4.11): every button and the input stand out at ≥ 3:1."""
    ratios = page.evaluate(CONTRAST_JS)
    low = [r for r in ratios if r[1] < 3]
    assert ratios and not low, f"components under 3:1: {low}"


def check_focus_unobscured(page, stops: int = 12) -> None:
    """Tab through the open panel: each focused control is visible, inside the viewport, not covered."""
    page.locator("textarea").focus()
    for _ in range(stops):
        page.keyboard.press("Shift+Tab")
        page.wait_for_timeout(400)  # let a smooth scroll bring the control into view
        result = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || !el.closest('.sesame-chat')) return 'outside';
              const r = el.getBoundingClientRect();
              const x = r.left + r.width / 2, y = r.top + r.height / 2;
              if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return 'off-screen: ' + el.textContent;
              const top = document.elementFromPoint(x, y);
              const outline = getComputedStyle(el).outlineStyle;
              if (!(top === el || el.contains(top))) return 'covered: ' + el.textContent + ' by ' + (top && top.outerHTML.slice(0, 80));
              if (outline === 'none' && getComputedStyle(el).boxShadow === 'none') return 'no focus style: ' + el.textContent;
              return 'ok';
            }"""
        )
        if result == "outside":
            return
        assert result == "ok", result
