"""Name helpers of the gazetteer build: scripts, match keys, kind words (standard library only).

Kept apart from build_gazetteer.py so that each source's merge reads as a short method there.
"""

import difflib
import re
import unicodedata

# Letters of each kept script; a name mixing scripts, or in another one, is dropped.
SCRIPT_RANGES = {
    "Latn": [(0x0041, 0x024F), (0x1E00, 0x1EFF)],
    "Cyrl": [(0x0400, 0x052F)],
    "Arab": [(0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
}
APOSTROPHES = "'`\u2018\u2019\u02bb\u02bc\u02be\u02bf\u00b4"
# Longest name kept from a source (longer ones are descriptions, not names).
MAX_NAME_CHARS = 60
# Kind words that sources glue to names ("ولسوالی X", "Ноҳияи X", "X tumani", "X District").
# Stripped before a name is stored: the geocoder reads these forms by rule, so the stored
# name is the bare one.
KIND_PREFIXES = ["ولسوالی", "ولسوالي", "ولایت", "ولايت", "ولاية", "استان", "شهرستان", "ناحیه",
                 "ноҳияи", "вилояти", "шаҳри", "provincia di", "provincia de", "province de",
                 "province of", "district of", "distretto di", "distrito de", "district de", "província de",
                 "provincia", "provinsi", "provincija", "tỉnh", "правінцыя", "провинција", "провинция",
                 "صوبہ", "ضلع"]
KIND_SUFFIXES = ["autonomous region", "autonomous oblast", "district", "province", "region", "tumani", "viloyati", "viloyat", "ولسوالی",
                 "ولايت", "ولایت", "ноҳия", "вилоят", "район", "область", "tuman", "velayat",
                 "wilayat", "woluswali", "wuluswali", "uluswali", "ilçesi", "ili", "vilayeti", "provints",
                 "probintzia", "maakunta", "provincija", "aymag", "аймаг", "ولسوالۍ", "ضلع", "rayon", "nohiya"]


def script_of(name):
    """Latn, Cyrl or Arab when every letter of the name is of that script, else None."""
    found = set()
    for ch in name:
        if not ch.isalpha() or unicodedata.combining(ch):
            continue
        code = ord(ch)
        script = next((s for s, ranges in SCRIPT_RANGES.items() if any(a <= code <= b for a, b in ranges)), None)
        if script is None:
            return None
        found.add(script)
    return found.pop() if len(found) == 1 else None


def key(text):
    """Accent-, case- and punctuation-blind form of a name (ZWNJ, tatweel and harakat dropped)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c) and c not in APOSTROPHES + "\u200c\u200d\u0640")
    text = text.casefold().replace("ي", "ی").replace("ك", "ک").replace("ة", "ه")
    return re.sub(r"[\W_]+", " ", text).strip()


def skeleton(text):
    """Transliteration-blind key of a Latin name (as the Rust geocoder's skeleton does)."""
    s = key(text).replace(" ", "")
    for a, b in (("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "x"), ("gh", "g"), ("sch", "sh"),
                 ("q", "k"), ("w", "v"), ("y", "i")):
        s = s.replace(a, b)
    s = re.sub(r"[aeiou]+", "a", s)
    return re.sub(r"(.)\1+", r"\1", s).rstrip("h") or s


CYRILLIC_LATIN = dict(zip("абвгғдеёжзиӣйкқлмнопрстуӯфхҳцчҷшщъыьэюя",
                          ["a", "b", "v", "g", "gh", "d", "e", "yo", "zh", "z", "i", "i", "y", "k", "q", "l", "m",
                           "n", "o", "p", "r", "s", "t", "u", "u", "f", "kh", "h", "ts", "ch", "j", "sh", "shch",
                           "", "y", "", "e", "yu", "ya"]))


def romanised(text):
    """A Cyrillic name in Latin letters (Russian and Tajik letters), for comparing it with
    Latin names; other scripts are returned as they are."""
    return "".join(CYRILLIC_LATIN.get(c, c) for c in text.casefold())


def loose_skeleton(text):
    """The skeleton of a Latin or Cyrillic name with kh and h alike, as Russian writes both х."""
    return skeleton(romanised(strip_kind_words(text))).replace("x", "h")


def similarity(a, b):
    """Ratio in 0..1 of two skeletons (difflib)."""
    return difflib.SequenceMatcher(None, a, b).ratio()


def strip_kind_words(name):
    """The bare name of "ولسوالی X", "Ноҳияи X", "X District", "X tumani"."""
    bare = name.strip()
    changed = True
    while changed:
        changed = False
        low = bare.casefold()
        for prefix in KIND_PREFIXES:
            if low.startswith(prefix + " ") and len(bare) > len(prefix) + 1:
                bare, changed = bare[len(prefix) + 1:].strip(), True
                break
        low = bare.casefold()
        for suffix in KIND_SUFFIXES:
            if low.endswith(" " + suffix) and len(bare) > len(suffix) + 1:
                bare, changed = bare[:-len(suffix) - 1].strip(), True
                break
    return bare


def kept_name(name):
    """Whether a source name is kept: of one kept script, no digits, of a sensible length, and
    a Latin name written as a name (capitalised: all-lower-case ones are machine romanisations
    such as "jurumu")."""
    name = name.strip()
    script = script_of(name)
    return (2 <= len(name) <= MAX_NAME_CHARS and script is not None
            and not any(ch.isdigit() for ch in name) and "|" not in name
            and (script != "Latn" or any(ch.isupper() for ch in name)))
