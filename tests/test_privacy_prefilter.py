"""``redact`` skips patterns a text cannot match; the result is what running every pattern gives."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from conftest import DATA, ROOT
from test_privacy import CONTACT

from matcher import privacy
from matcher.privacy import redact


def test_skipping_patterns_a_text_cannot_match_changes_nothing():
    """``redact`` skips the e-mail, URL, address and phone patterns when the text lacks what every match
    needs; on texts with and without those marks it gives what running every pattern gives."""

    def every_pattern(text: str) -> privacy.Redacted:
        counts: Counter[str] = Counter()
        mailboxes = tuple(m.group().split("@", 1)[0].lower() for m in privacy._EMAIL.finditer(text))
        text = privacy._sub(privacy._EMAIL, "email", text, counts)
        text = privacy._sub(privacy._URL, "url", text, counts, fix=privacy._trim_url)
        text = privacy._sub(privacy._LABELLED, "address", text, counts, group=1)
        text = privacy._sub(privacy._ADDRESS, "address", text, counts)
        text = privacy._sub(privacy._US_CITY_ZIP, "address", text, counts)
        text = privacy._sub(privacy._PHONE, "phone", text, counts, keep=privacy._is_phone)
        text = privacy._redact_name(text, counts, mailboxes)
        return privacy.Redacted(text, {k: v for k, v in counts.items() if v})

    examples = pd.concat(pd.read_csv(p) for p in sorted((ROOT / "corpus" / "examples").glob("*.csv")))
    texts = [
        (DATA / "pii_resume.txt").read_text(encoding="utf-8"),
        *(f"Jane Doe\nReach me at {value}. I lead data teams." for value, _ in CONTACT),
        "Maria Garcia is a product manager at linkedin.com/in/maria, ex-Acme (12 rue de Rivoli, 75001 Paris).",
        "Engineer. Call ٠٥٥٥١٢٣٤٥٦٧ or write to me.",  # digits that are not ASCII
        *examples["text"].sample(300, random_state=0),
    ]
    for text in texts:
        assert redact(text) == every_pattern(text)
