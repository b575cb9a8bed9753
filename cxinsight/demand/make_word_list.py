"""Write ``english_near_keywords.txt``: the real English words one keystroke away from a keyword
the classifier corrects typos towards, so that no real word is ever "corrected" ("causing" is not a
misspelling of "chasing"; "crossing" is not one of "closing").

The words come from the public-domain English word list of ``dwyl/english-words``
(``words_alpha.txt`` in ``words_alpha.zip``, commit 20f5cc9b3f0ccc8ce45d814c532b7c2031bba31c,
released into the public domain). Only the few hundred words near a keyword are kept.

Run after adding fuzzy keywords to a taxonomy:
``python -m cxinsight.demand.make_word_list path/to/words_alpha.zip [taxonomy.yaml]``.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from cxinsight.demand.rules import load_taxonomy, within_one_edit

OUT = Path(__file__).with_name("english_near_keywords.txt")


def near_words(words: set[str], keywords) -> list[str]:
    """Words of ``words`` (4+ letters) one edit from a keyword, not the keywords themselves."""
    keys = set(keywords)
    by_length: dict[int, list[str]] = {}
    for w in words:
        if len(w) >= 4 and w not in keys:
            by_length.setdefault(len(w), []).append(w)
    found = set()
    for kw in keys:
        for n in (len(kw) - 1, len(kw), len(kw) + 1):
            found.update(w for w in by_length.get(n, ()) if within_one_edit(w, kw))
    return sorted(found)


def main(zip_path: str, taxonomy: str | None = None) -> None:
    with zipfile.ZipFile(zip_path) as z:
        words = set(z.read("words_alpha.txt").decode("utf-8").split())
    found = near_words(words, load_taxonomy(taxonomy).fuzzy_keywords)
    header = ("# Real English words one keystroke from a fuzzy keyword: never corrected as typos.\n"
              "# From dwyl/english-words words_alpha.txt (public domain), commit "
              "20f5cc9b3f0ccc8ce45d814c532b7c2031bba31c; written by make_word_list.py.\n")
    OUT.write_text(header + "\n".join(found) + "\n", encoding="utf-8")
    print(f"{len(found)} words -> {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
