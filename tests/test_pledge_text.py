"""Pledge item texts compared word for word: the translate table removes exactly spaces, punctuation and
invisible format characters (zero-width spaces and joiners: issue 14, such text is empty)."""

import unicodedata

from policyhub.rules.pledges import is_hollow, normalized


def by_hand(text: str) -> str:
    """The definition, one character at a time."""
    text = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith("P")
                                             or unicodedata.category(ch) == "Cf"))


def test_every_character_is_kept_or_removed_as_the_definition_says():
    # the whole Basic Multilingual Plane and the start of the supplementary ones, in chunks
    starts = [*range(0, 0x10000, 4096), 0x10000, 0x1F000, 0x20000, 0xE0000]
    for start in starts:
        chunk = "".join(chr(c) for c in range(start, start + 4096) if not 0xD800 <= c < 0xE000)
        assert normalized(chunk) == by_hand(chunk), hex(start)


def test_texts_lose_spaces_and_punctuation_only():
    assert normalized(" 带领群众，增收致富！ (2010) ") == "带领群众增收致富2010"
    assert normalized("ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ") == "fullwidthABC"
    assert normalized(None) == ""
    assert normalized("\u200b\u3000\ufeff\u200d") == ""


def test_hollow_items_with_phrases_written_loosely():
    phrases = ["努力工作", "积极 参与。"]
    assert is_hollow("努力工作，积极参与", 4, phrases)
    assert not is_hollow("努力工作，修好村东水渠", 4, phrases)
    assert is_hollow("修路", 4, phrases)  # too short
    assert not is_hollow("积极参与修好水渠", 4, phrases) and is_hollow("积极参与修好水渠", 4, phrases + ["修好水渠"])


def test_fullwidth_punctuation_written_before_nfkc_gives_nfkc_itself():
    """normalized() writes fullwidth punctuation as NFKC does before NFKC runs (so most Chinese text
    skips it): next to combining marks, Hangul jamo, compatibility characters and format characters,
    in random texts, the result is the definition's."""
    import random

    alphabet = ("，；：！？（）\u3000,;:!?() a\u0301\u0308\u0327e\u1100\u1161\u11a8\uac00ﬁ①ｶﾞ\u200d\u200b\ufeff带领群众"
                "\u0b47\u0b3e\u00e9\u2474\ufe50\uff0e")
    rng = random.Random(14)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert normalized(text) == by_hand(text), ascii(text)
    assert normalized("带头参加社区志愿服务，每月不少于2次；帮扶困难党员1户。") == "带头参加社区志愿服务每月不少于2次帮扶困难党员1户"
