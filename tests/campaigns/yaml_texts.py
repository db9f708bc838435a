"""Desired-state file texts for the fuzz campaigns: valid YAML in the styles the loader meets
(block, flow, compact lists, quotes, block scalars, comments, several documents, CRLF), the
constructs it refuses (tags, merge keys, complex keys, directives, aliases), and the same texts
broken by random edits.

Texts are made by a seeded generator: a seed is cheap for hypothesis to draw (a few hundred
examples fit CI's time) and names the failing text exactly.
"""

from __future__ import annotations

import random
from typing import Any

#: Plain scalars that are valid as written; several resolve differently in YAML 1.1 and 1.2
#: or between parsers (booleans, octals, underscores, sexagesimals, dates, `=`, `<<`).
PLAIN = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "False",
    "TRUE",
    "null",
    "Null",
    "~",
    "0",
    "-0",
    "+1",
    "007",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "1e3",
    "1.5",
    ".5",
    "-.inf",
    ".NaN",
    "1:30",
    "12:30:45",
    "=",
    "2026-09-01",
    "2026-9-1",
    "2026-09-01 08:00:00",
    "2026-09-01T08:00:00Z",
    "2026-09-01 08:00:00 +01:00",
    "2026-09-01t08:00:00.5-05:00",
    "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    "https://contoso.example/x?y=1#z",
    "${SECRET}",
    "$${LITERAL}",
    "Test Profile",
    "a#b",
    "a:b",
    "-x",
    "Ünïcödé",
    "😀 emoji",
    "St Mary's",
    "R&D",
    "50%",
    "x*y",
    "a!",
    "\u200bzero-width",
    "C:\\path",
]
#: Text that must be quoted to be a string (or is a YAML indicator when plain).
QUOTED_ONLY = [
    "",
    " ",
    "x: y",
    "- x",
    "#",
    "@x",
    "`x",
    "%x",
    "!x",
    "&x",
    "*x",
    "|",
    ">",
    "?",
    ",",
    "[x",
    "{x",
    "]",
    "}",
    "'",
    '"',
    "a\\b",
    "tab\there",
    "line\nbreak",
    "é",
    "<<",
]
KEYS = [
    "displayName",
    "dataProvider",
    "@odata.type",
    "clientId",
    "schoolsIds",
    "userDomains",
    "appliesTo",
    "name",
    "lifecycle",
    "paused",
    "protect",
    "id",
    "a",
    "b",
    "c",
    "é",
    "k 2",
]
DIRECTIVES = [
    "%YAML 1.2",
    "%YAML 1.1",
    "%YAML 1.7",
    "%YAML 2.0",
    "%YAML 1.2.3",
    "%YAML",
    "%YAML x",
    "%TAG ! tag:yaml.org,2002:",
    "%TAG !e! tag:example.com,2000:",
    "%TAG !! tag:x:",
    "%FOO bar",
    "%YAML 1.2\n%YAML 1.2",
]
TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!timestamp",
    "!!binary",
    "!!map",
    "!!seq",
    "!!set",
    "!!omap",
    "!!python/object/apply:os.system",
    "!secret",
    "!",
    "!e!x",
    "!<tag:yaml.org,2002:str>",
    "!!merge",
    "!!value",
]
#: What a random edit inserts: YAML's indicators, odd whitespace, and characters a parser
#: might mishandle (NUL, a lone surrogate's escape, a byte-order mark, line separators).
INSERTS = [
    ":",
    ": ",
    "-",
    "- ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    " #",
    "&a ",
    "*a",
    "!",
    "!!str ",
    "|",
    ">",
    "'",
    '"',
    "%",
    "@",
    "`",
    "\t",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x07",
    "\x85",
    "\u2028",
    "\ufeff",
    "\u00a0",
    "\u201c",
    "---",
    "...",
    "\n---\n",
    "\n...\n",
    "\\",
    "\\ud800",
    '"\\ud83d"',
    '"\\x00"',
    '"\\U0001F600"',
    "\u0300",
    "\U0001f600",
    "%YAML 1.7\n",
    "%TAG ! !\n",
    "<<: ",
    "~",
    "x" * 300,
    "k" * 1100 + ": v\n",
    "? [a]\n: b\n",
]


class TextMaker:
    """One file's text from one seed; `odd` makes unusual constructs more likely."""

    def __init__(self, seed: int, *, odd: float = 0.05) -> None:
        self.r = random.Random(seed)
        self.odd = odd
        self.anchors: list[str] = []

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    # -- scalars ------------------------------------------------------------------------------
    def scalar(self, *, flow: bool) -> str:
        r = self.r
        if self.anchors and self.chance(self.odd):
            return "*" + r.choice(self.anchors)
        roll = r.random()
        if roll < 0.55:
            text = r.choice(PLAIN)
            if (flow and any(c in text for c in ",[]{}#")) or text.startswith("-"):
                text = self.quote(text)
        elif roll < 0.9:
            text = self.quote(r.choice(PLAIN + QUOTED_ONLY))
        else:
            text = self.quote(r.choice(["\\t", "\\u00e9", "\\x41", "\\ud800", "\\0", "\\e"]))
        if self.chance(self.odd):
            text = f"{r.choice(TAGS)} {text}"
        if self.chance(self.odd):
            name = r.choice(["a", "b", "c"])
            self.anchors.append(name)
            text = f"&{name} {text}"
        return text

    def quote(self, raw: str) -> str:
        if raw.startswith("\\"):  # an escape: only meaningful in double quotes
            return f'"{raw}x"'
        if self.r.random() < 0.5 and "\n" not in raw and "\t" not in raw:
            return "'" + raw.replace("'", "''") + "'"
        escaped = raw.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + escaped.replace("\t", "\\t") + '"'

    def key(self) -> str:
        r = self.r
        if self.chance(self.odd / 2):
            return r.choice(["<<", "? x", "[a, b]", "{a: 1}", "!!str k", "&k k2", "*k"])
        key = r.choice(KEYS)
        return f'"{key}"' if key.startswith("@") or " " in key else key

    # -- collections ----------------------------------------------------------------------------
    def value(self, depth: int) -> Any:
        """A tree: dicts of key text → tree, lists of trees, scalar texts (written out)."""
        roll = self.r.random()
        if depth > 4 or roll < 0.5:
            return ("scalar",)
        size = self.r.randint(0, 4)
        if roll < 0.75:
            return [self.value(depth + 1) for _ in range(size)]
        return {self.key(): self.value(depth + 1) for _ in range(size)}

    def flow(self, tree: Any) -> str:
        if isinstance(tree, dict):
            pairs = ", ".join(f"{k}: {self.flow(v)}" for k, v in tree.items())
            return "{" + pairs + "}"
        if isinstance(tree, list):
            return "[" + ", ".join(self.flow(v) for v in tree) + "]"
        return self.scalar(flow=True)

    def block(self, tree: Any, indent: int, step: int) -> list[str]:
        pad = " " * indent
        if isinstance(tree, dict) and tree:
            lines = []
            for key, child in tree.items():
                if isinstance(child, (dict, list)) and child and not self.chance(0.2):
                    lines.append(f"{pad}{key}:{self.comment()}")
                    # Lists under a key may sit at the key's own column (YAML allows it).
                    same_column = isinstance(child, list) and self.chance(0.3)
                    lines += self.block(child, indent if same_column else indent + step, step)
                elif child == ("scalar",) and self.chance(0.05):
                    lines += self.multiline(pad, key)
                elif child == ("scalar",) and self.chance(0.05):
                    lines.append(f"{pad}{key}: {self.r.choice(['|', '>', '|-', '>+'])}")
                    lines += [f"{pad}{' ' * step}{w}" for w in ("text of", "  a block", "")]
                else:
                    lines.append(f"{pad}{key}: {self.flow(child)}{self.comment()}")
            return lines
        if isinstance(tree, list) and tree:
            lines = []
            for child in tree:
                inner = self.block(child, indent + 2, step)
                lines.append(f"{pad}- {inner[0].lstrip(' ')}")
                lines += inner[1:]
            return lines
        return [pad + self.flow(tree)]

    def json_lines(self, tree: Any, indent: int) -> list[str]:
        pad, inner = " " * indent, " " * (indent + 2)
        if isinstance(tree, (dict, list)) and tree:
            opener, closer = ("{", "}") if isinstance(tree, dict) else ("[", "]")
            items = list(tree.items()) if isinstance(tree, dict) else list(enumerate(tree))
            lines = [pad + opener]
            for n, (key, child) in enumerate(items):
                body = self.json_lines(child, indent + 2)
                label = f"{_quoted_key(key)}: " if isinstance(tree, dict) else ""
                body[0] = inner + label + body[0].lstrip(" ")
                if n < len(items) - 1:
                    body[-1] += ","
                lines += body
            return [*lines, pad + closer]
        return [pad + self.flow(tree)]

    def multiline(self, pad: str, key: str) -> list[str]:
        """A scalar continued on the next lines: plain, double-quoted, escaped line break."""
        style = self.r.choice(["plain", "double", "escaped"])
        if style == "plain":
            return [f"{pad}{key}: first words", f"{pad}  more words", f"{pad}  end"]
        if style == "double":
            return [f'{pad}{key}: "first', f"{pad}  second", f'{pad}  third"']
        return [f'{pad}{key}: "first\\', f'{pad}  second"']

    def comment(self) -> str:
        return " # note" if self.chance(0.1) else ""

    # -- files ----------------------------------------------------------------------------------
    def text(self) -> str:
        r = self.r
        documents = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            self.anchors = []
            tree = {self.key(): self.value(1) for _ in range(r.randint(1, 5))}
            if self.chance(0.15):
                lines = self.json_lines(tree, 0)  # a pasted Graph response, spread over lines
            elif self.chance(0.25):
                lines = [self.flow(tree)]
            else:
                lines = self.block(tree, 0, r.choice([2, 2, 4, 3]))
            if self.chance(0.2):
                lines.insert(r.randint(0, len(lines)), r.choice(["# a comment", ""]))
            if self.chance(0.1):
                lines.append(r.choice(["...", "---", "--- # next"]))
            documents.append("\n".join(lines))
        head = ""
        if self.chance(self.odd):
            head = r.choice(DIRECTIVES) + "\n---\n"
        elif self.chance(0.2):
            head = "---\n"
        text = head + "\n---\n".join(documents) + "\n"
        if self.chance(0.1):
            text = text.replace("\n", "\r\n")
        return text

    def broken(self) -> str:
        """A generated file with a few random edits: inserts, deletions, indents, lines."""
        r = self.r
        text = self.text()
        for _ in range(r.randint(1, 3)):
            lines = text.split("\n")
            edit = r.choice(["insert", "insert", "delete", "indent", "swap", "dup"])
            if edit == "insert":
                at = r.randint(0, len(text))
                text = text[:at] + r.choice(INSERTS) + text[at:]
            elif edit == "delete" and text:
                at = r.randint(0, len(text) - 1)
                text = text[:at] + text[at + r.randint(1, 5) :]
            elif edit == "indent":
                i = r.randrange(len(lines))
                lines[i] = " " * r.randint(0, 5) + lines[i].lstrip(" ")
                text = "\n".join(lines)
            elif edit == "swap" and len(lines) > 1:
                i, j = r.randrange(len(lines)), r.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                text = "\n".join(lines)
            elif edit == "dup":
                i = r.randrange(len(lines))
                lines.insert(i, lines[i])
                text = "\n".join(lines)
        return text


def _quoted_key(key: str) -> str:
    return key if key.startswith(('"', "'")) else f'"{key}"'


def valid_text(seed: int) -> str:
    return TextMaker(seed).text()


def odd_text(seed: int) -> str:
    """Mostly unusual constructs: tags, anchors, merge and complex keys, directives."""
    return TextMaker(seed, odd=0.3).text()


def broken_text(seed: int) -> str:
    return TextMaker(seed).broken()
