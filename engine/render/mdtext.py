"""Text from a case, a rule or an error message, made safe to put in Markdown: one helper for every
Markdown writer (the report, the plan, summary.md, `rules docs`, compare).

Nothing of it is read as Markdown or HTML: raw HTML and entities are shown as text (`<script>`,
`<img onerror>`), emphasis, links, images and code spans are escaped (`![](tracker)`, `[x](javascript:)`),
table cells cannot be broken (`|`), and line breaks and control characters become spaces.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[\\`*\[\]]|(?<!\w)_|_(?!\w)|!(?=\[)|&(?=#?\w+;)")
"""What Markdown would read: backslashes, code spans, emphasis (an underscore inside a word is plain
text, as in case_id), link and image brackets, entities."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def md_text(text: object) -> str:
    """`text` as inert Markdown text (one line)."""
    s = _CONTROL.sub(" ", str(text))
    s = _SPECIAL.sub(lambda m: "&amp;" if m.group(0) == "&" else "\\" + m.group(0), s)
    return s.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
