"""Unit tests for transforms.html_text.html_to_text."""

from __future__ import annotations

import pytest

from transforms.html_text import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("<p>One.</p>\n\n\n\n<p>Two.</p>", "One.\n\nTwo."),
        ("<p>One.</p><p></p><p></p><p>Two.</p>", "One.\n\nTwo."),
        ("<div><p>Nested.</p></div><div>Next.</div>", "Nested.\n\nNext."),
        ("<h1>Title</h1><p>Body.</p>", "Title\n\nBody."),
        ("<blockquote>Quoted.</blockquote>After.", "Quoted.\n\nAfter."),
        ("Before<hr>After", "Before\n\nAfter"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a\n\nb"),
        ("<p>Unclosed paragraph", "Unclosed paragraph"),
        ("plain text, no tags", "plain text, no tags"),
        ("", ""),
    ],
)
def test_html_to_text_paragraphs(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Line<br>next", "Line\nnext"),
        ("Line<br/>next", "Line\nnext"),
        ("Line<br />next", "Line\nnext"),
        ("Line<BR>next", "Line\nnext"),
        ("<p>Three<br/>four <b>five</b>.</p>", "Three\nfour five."),
        ("a<br>  b", "a\nb"),
        ("a<br><br>b", "a\n\nb"),
        ("a<br><br><br><br>b", "a\n\nb"),  # never more than one blank line
    ],
)
def test_html_to_text_line_breaks(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Fish &amp; chips", "Fish & chips"),
        ("a &lt; b &gt; c", "a < b > c"),
        ("&quot;quoted&quot; and &#39;single&#39;", "\"quoted\" and 'single'"),
        ("Caf&eacute; cr&egrave;me", "Café crème"),
        ("&#233;&#xE9;&#x2014;&#8212;", "éé——"),
        ("&amp;amp;", "&amp;"),  # decoded once, not twice
        ("&euro;5 &copy; &hellip;", "€5 © …"),
    ],
)
def test_html_to_text_entities(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<script>var a = 1;</script><p>Shown</p>", "Shown"),
        ("<p>Shown</p><style>p { color: red }</style>", "Shown"),
        ("<SCRIPT>track()</SCRIPT>ok", "ok"),
        ("<script>if (a < b && c > d) { x() }</script>after", "after"),
        ("<noscript>Enable JS</noscript>visible", "visible"),
        ("<template><p>hidden</p></template>visible", "visible"),
        ("<head><title>Page</title></head><p>Body</p>", "Body"),
        ("<!-- a comment --><p>text</p>", "text"),
        ("<p>a<script>x()</script>b</p>", "ab"),
    ],
)
def test_html_to_text_skips_scripts_and_styles(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_nested_lists() -> None:
    html = "<ul><li>One<ul><li>Inner A</li><li>Inner B</li></ul></li><li>Two</li></ul><p>After.</p>"
    assert html_to_text(html) == "One\n\nInner A\n\nInner B\n\nTwo\n\nAfter."


def test_html_to_text_ordered_list() -> None:
    assert html_to_text("<ol><li>First</li><li>Second</li></ol>") == "First\n\nSecond"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>100&nbsp;km</p>", "100\u00a0km"),
        ("<p>100\u00a0km</p>", "100\u00a0km"),
        ("<p>Prix&nbsp;: 12&#160;€</p>", "Prix\u00a0: 12\u00a0€"),
        ("<p>thin\u202fspace</p>", "thin\u202fspace"),
    ],
)
def test_html_to_text_keeps_non_breaking_spaces(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Split\nacross   source\tlines</p>", "Split across source lines"),
        ("<p>  padded  </p>", "padded"),
        ("<b>bold</b> and <i>italic</i> and <a href='x'>link</a>", "bold and italic and link"),
        ("<p>東京 — “quoted” naïve</p>", "東京 — “quoted” naïve"),
    ],
)
def test_html_to_text_inline_markup_and_whitespace(html: str, text: str) -> None:
    assert html_to_text(html) == text
