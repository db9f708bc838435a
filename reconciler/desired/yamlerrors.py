"""YAML mistakes in plain words, on the line where the mistake is.

The parser reports where it gave up (`mapping values are not allowed here`, `expected <block
end>, but found '<block mapping start>'`), which is often a line after the mistake. Each rule
here recognises one common mistake from the text around that place and names the fix:
a missing space after `:`, an unquoted value holding `: `, a quote or bracket never closed,
indentation that does not line up, tabs, and characters pasted from Word or a web page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # ruamel.yaml is imported by the precise path only, when a file needs it
    from ruamel.yaml.error import MarkedYAMLError

#: Quotation marks word processors substitute for " and ' (not YAML quotes).
CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb"
#: Spaces that look like spaces but are not YAML whitespace.
ODD_SPACES = "\u00a0\u2007\u202f\u2009\u200b\u3000"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_KEY_WITHOUT_SPACE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"\[\]{},][^:#]*?):(?=[^\s:/])")


@dataclass(frozen=True)
class Located:
    line: int  # 1-based
    column: int  # 1-based
    message: str


def mark_lines(text: str) -> list[str]:
    """The lines the parser's marks count: split at CR, LF and CRLF only (str.splitlines also
    splits at NEL, U+2028 and others, which ruamel.yaml's line numbers do not count)."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":  # a final line break ends the last line; it starts none
        lines.pop()
    return lines


def pasted_characters(text: str) -> Located | None:
    """Curly quotes used as quotes, or odd spaces used as indentation or after `:`/`-`: they
    parse (as part of a key, say) and would surface later as a baffling "unknown property"."""
    if text.isascii() or not any(char in text for char in CURLY_QUOTES + ODD_SPACES):
        return None  # the usual case (all of them are beyond ASCII), decided at C speed
    curly: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for col in _token_starts(line):
            if line[col] in CURLY_QUOTES:
                curly.append((number, col + 1, line[col]))
        odd = _odd_space(line)
        if odd is not None:
            return Located(
                number,
                odd + 1,
                f"a non-breaking or other special space (U+{ord(line[odd]):04X}) where YAML needs "
                "an ordinary space (pasted from a web page or Word?); retype the spaces on this "
                "line",
            )
    if not curly:
        return None
    first_line, first_col, char = curly[0]
    more = len({n for n, _, _ in curly}) - 1
    also = f" (and on {more} more line(s) in this file)" if more else ""
    return Located(
        first_line,
        first_col,
        f"curly quotes such as {char} are not YAML quotes (pasted from Word or a web page?): "
        f"replace the curly quotes {_curly_pair(char)} with straight quotes {_straight(char)}"
        f"{also}",
    )


_SINGLE_CURLY = "\u2018\u2019\u201a\u201b"


def _curly_pair(char: str) -> str:
    return "\u2018 \u2019" if char in _SINGLE_CURLY else "\u201c \u201d"


def _straight(char: str) -> str:
    return "' (or \")" if char in _SINGLE_CURLY else '"'


def explain(exc: MarkedYAMLError, text: str) -> Located:
    """The parser's complaint, translated: where the mistake most likely is, and the fix."""
    lines = mark_lines(text)
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    context = exc.context_mark
    problem = str(exc.problem or exc.context or "")
    for rule in (_unclosed_quote, _tab, _special_start, _dash_without_space):
        found = rule(lines, line, col, problem)
        if found:
            return found
    if "mapping values are not allowed" in problem:
        return _colon_in_value(lines, line, col)
    if "could not find expected ':'" in problem and context is not None:
        return _no_colon(lines, context.line + 1)
    if problem.startswith("expected ',' or") and "but got '['" in problem:
        start, item = _flow_item_at(lines[line - 1] if line <= len(lines) else "", col - 1)
        return Located(
            line,
            start + 1,
            f"a value inside '[ ]' or '{{ }}' that contains '[' must be quoted: write "
            f"'{item}' (with the quotes)",
        )
    if problem.startswith("expected ',' or") and context is not None:
        missing = None
        if "<stream end>" not in problem:
            missing = _missing_comma(lines, line, col, context.line + 1)
        return missing or _unclosed_flow(lines, context.line + 1, context.column + 1, problem)
    if problem.startswith("expected <block end>"):
        return _misaligned(lines, line, col, problem)
    if problem.startswith("expected the node content") and "<stream end>" in problem:
        return _ends_early(lines)
    if problem.startswith("found undefined alias"):
        name = problem.split("alias", 1)[1].strip().strip("'\"")
        return Located(
            line,
            col,
            f"'*{name}' repeats a value marked '&{name}' earlier in the file, and there is no "
            f"such mark: add '&{name}' before the value to repeat, or, if '*' is part of the "
            "text, put the value in quotes",
        )
    if problem.startswith("expected '<document start>'"):
        return Located(
            line,
            col,
            "unexpected text after the end of the profile: remove it (a new profile in the "
            "same file starts with a line '---')",
        )
    return Located(line, col, f"{problem}; check this line and the one before it")


# -- rules, most specific first ---------------------------------------------------------------


def _unclosed_quote(lines: list[str], line: int, _col: int, _problem: str) -> Located | None:
    """A quote opened and not closed on its line: YAML reads on to the next quote, so the
    parser complains lines later. Profiles never need multi-line quoted values."""
    for number in range(1, min(line, len(lines)) + 1):
        opened = _open_quote(lines[number - 1])
        if opened is not None:
            quote = lines[number - 1][opened]
            return Located(
                number,
                opened + 1,
                f"the quote {quote} opened here is not closed on this line; add the closing "
                f"{quote} at the end of the value",
            )
    return None


def _tab(lines: list[str], line: int, col: int, problem: str) -> Located | None:
    if "'\\t'" not in problem:
        return None
    where = "to indent" if not lines[line - 1][: col - 1].strip() else "here"
    return Located(
        line,
        col,
        f"a tab character is used {where}: YAML allows only spaces; replace the tab with "
        "spaces (use spaces, never tabs)",
    )


def _special_start(lines: list[str], line: int, col: int, problem: str) -> Located | None:
    match = re.search(r"found character '(.)' that cannot start any token", problem)
    if not match:
        return None
    char = match.group(1)
    word = _word_at(lines[line - 1], col - 1)
    windows = re.fullmatch(r"%([A-Za-z_][A-Za-z0-9_]*)%", word)
    if windows:  # a Windows variable: quoting it would send the text as written
        return Located(
            line,
            col,
            f"{word} is a Windows variable, which is not expanded here: write "
            f"${{{windows.group(1)}}} to use the environment variable {windows.group(1)}",
        )
    return Located(
        line,
        col,
        f"a key or value cannot start with {char!r} unless it is quoted: write "
        f'"{word}" (with the quotes)',
    )


def _dash_without_space(lines: list[str], line: int, _col: int, _problem: str) -> Located | None:
    text = lines[line - 1] if line <= len(lines) else ""
    stripped = _strip_comment(text).strip()
    if not re.match(r"^-[^\s-]", stripped):
        return None
    return Located(
        line,
        _indent(text) + 1,
        f"a list item needs a space after '-': write '- {stripped[1:]}'",
    )


def _colon_in_value(lines: list[str], line: int, col: int) -> Located:
    text = lines[line - 1] if line <= len(lines) else ""
    before = text[: col - 1]
    pair = re.match(r"^(\s*(?:-\s+)?)([^:#]+?):\s+(.*)$", text)
    if ": " in before and pair:
        key, value = pair.group(2).strip(), _strip_comment(pair.group(3)).strip()
        return Located(
            line,
            col,
            f"the value of {key!r} contains ': ', which YAML reads as a new key; put the value "
            f'in quotes: {key}: "{value}"',
        )
    previous = _previous_content(lines, line)
    if previous is not None:
        prev_text = lines[previous - 1]
        missing = _KEY_WITHOUT_SPACE.match(prev_text)
        if missing:
            return _missing_space(previous, prev_text, missing)
        equals = re.match(r"^(\s*)([\w@.\"'-]+)\s*=\s*(.*)$", prev_text)
        if equals and ":" not in prev_text:
            key, value = equals.group(2), _strip_comment(equals.group(3)).strip()
            return Located(
                previous,
                len(equals.group(1)) + 1,
                f"YAML separates a key from its value with ': ', not '=': write '{key}: {value}'",
            )
        if ":" not in _strip_comment(prev_text) and _indent(prev_text) == _indent(text):
            return _no_colon(lines, previous)
        if _indent(text) > _indent(prev_text) and re.search(r":\s+\S", prev_text):
            prev_key = prev_text.strip().split(":", 1)[0].lstrip("- ")
            return Located(
                line,
                _indent(text) + 1,
                f"this line is indented more than line {previous}, so YAML reads it as more of "
                f"the value of {prev_key!r}; line it up with {prev_key!r} (or, if it belongs "
                f"under {prev_key!r}, remove the value written after {prev_key}:)",
            )
    return Located(
        line,
        col,
        "a ':' here is not allowed: a value that contains ': ' must be in quotes, and a key "
        "needs a space after its ':'",
    )


def _no_colon(lines: list[str], line: int) -> Located:
    text = lines[line - 1] if line <= len(lines) else ""
    stripped = _strip_comment(text).strip()
    missing = _KEY_WITHOUT_SPACE.match(text)
    if missing:
        return _missing_space(line, text, missing)
    dash = _dash_without_space(lines, line, 0, "")
    if dash:
        return dash
    if re.fullmatch(r"-{2}|-{4,}", stripped):
        return Located(line, _indent(text) + 1, "a new document starts with exactly '---'")
    return Located(
        line,
        _indent(text) + 1,
        f"{stripped!r} is not a 'key: value' pair: a key needs a ':' after it "
        f"(write '{stripped}:' if the lines below belong to it)",
    )


def _missing_comma(lines: list[str], line: int, col: int, opened: int) -> Located | None:
    """In a `{ }` or `[ ]` spread over lines (JSON), an item that starts a line where a ','
    was expected: the line before it lacks its ','."""
    text = lines[line - 1] if line <= len(lines) else ""
    previous = _previous_content(lines, line)
    if previous is None or previous <= opened or text[: col - 1].strip():
        return None  # the items continue on the opener's line: that line is not closed
    end = len(lines[previous - 1].rstrip())
    return Located(
        previous,
        end + 1,
        f"a ',' is missing at the end of this line (before line {line})",
    )


def _unclosed_flow(lines: list[str], line: int, col: int, problem: str) -> Located:
    opener = lines[line - 1][col - 1] if line <= len(lines) else "["
    closer = "]" if opener == "[" else "}"
    kind = "list" if opener == "[" else "mapping"
    return Located(
        line,
        col,
        f"the {kind} opened here with '{opener}' is not closed: end it with '{closer}' on the "
        f"same line (inside '{opener} {closer}', separate items with ',' and quote any value "
        "that contains ':' or '#')",
    )


def _last_opener(lines: list[str]) -> tuple[int, int] | None:
    """(line, column), 1-based, of the last '[' or '{' left open, outside quotes and comments."""
    open_at: list[tuple[int, int]] = []
    for number, text in enumerate(lines, start=1):
        quote: str | None = None
        for i, char in enumerate(text):
            if quote:
                quote = None if char == quote else quote
            elif char in "\"'" and (i == 0 or text[i - 1] in " [{,:"):
                quote = char
            elif char == "#" and (i == 0 or text[i - 1].isspace()):
                break
            elif char in "[{":
                open_at.append((number, i + 1))
            elif char in "]}" and open_at:
                open_at.pop()
    return open_at[-1] if open_at else None


def _ends_early(lines: list[str]) -> Located:
    """The file ends where a value was still expected: an unclosed '[' or '{' (the parser
    points past the end of the file, so point at the opener instead)."""
    opener = _last_opener(lines)
    if opener is not None:
        return _unclosed_flow(lines, *opener, "")
    last = _previous_content(lines, len(lines) + 1) or 1
    return Located(
        last,
        1,
        "the file ends where a value was expected: finish the value on this line (or remove "
        "the line)",
    )


def _misaligned(lines: list[str], line: int, col: int, problem: str) -> Located:
    text = lines[line - 1] if line <= len(lines) else ""
    closing = re.search(r"([\"'])\s*$", text[: col - 1])
    if "'<scalar>'" in problem and closing:
        apostrophe = (
            " (an apostrophe inside '…' is written twice: 'St Mary''s'; or use \"…\")"
            if closing.group(1) == "'"
            else ""
        )
        return Located(
            line,
            col,
            f"text after the closing quote: put the whole value inside the quotes{apostrophe}",
        )
    if "found '-'" in problem:
        return Located(
            line,
            col,
            "a list item ('- ') where a key was expected: indent the list under the key it "
            "belongs to",
        )
    indent = _indent(text)
    previous = _previous_content(lines, line)
    after_item = previous is not None and lines[previous - 1].lstrip().startswith("- ")
    if (
        after_item
        and previous
        and _indent(lines[previous - 1]) == indent
        and text.strip()[:1] != "-"
    ):
        key = text.strip().split(":", 1)[0]
        return Located(
            line,
            indent + 1,
            f"{key!r} starts in the same column as the '- ' list items above it (line "
            f"{previous}): outdent it to end the list, or indent it under the item's first "
            "key to add it to that item",
        )
    # A list item lines up with the other items' `-`; a key with the other keys.
    column = _indent if text.lstrip().startswith("-") else _key_column
    parent = next(
        (
            n
            for n in range(line - 1, 0, -1)
            if _content(lines[n - 1]) and column(lines[n - 1]) < indent
        ),
        None,
    )
    siblings = [
        n
        for n in range(parent + 1 if parent else 1, line)
        if _content(lines[n - 1]) and column(lines[n - 1]) > indent
    ]
    if parent is not None and siblings:
        first = siblings[0]
        owner = lines[parent - 1].strip().split(":", 1)[0].lstrip("- ")
        return Located(
            line,
            indent + 1,
            f"this line is indented {_spaces(indent)} but line {first} above it, under the "
            f"same {owner!r} (line {parent}), is indented {_spaces(column(lines[first - 1]))}: "
            "the lines of one level must start in the same column; line them up",
        )
    return Located(
        line,
        indent + 1,
        "the indentation of this line does not match the lines above it: keys of one mapping "
        "must start in the same column, and so must the '- ' items of one list",
    )


# -- helpers ------------------------------------------------------------------------------------


def _missing_space(line: int, text: str, match: re.Match[str]) -> Located:
    key = match.group(2).strip()
    value = _strip_comment(text[match.end() :]).strip()
    return Located(
        line,
        match.end(),  # the ':' (1-based)
        f"missing space after ':' in '{key}:{value}': write '{key}: {value}'",
    )


def _scan(line: str) -> tuple[list[int], int | None]:
    """Columns (0-based) where a YAML key or value may start on this line, and the column of
    a quote opened there and not closed by the end of the line."""
    starts: list[int] = []
    quote: str | None = None
    opened = 0
    previous = ""  # the previous character that is not a space, outside quotes
    i = 0
    while i < len(line):
        char = line[i]
        if quote:
            if quote == '"' and char == "\\":
                i += 2
                continue
            if char == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                quote, previous = None, char
            i += 1
            continue
        if char.isspace():
            i += 1
            continue
        if char == "#" and (i == 0 or line[i - 1].isspace()):
            break
        spaced = i == 0 or line[i - 1].isspace()
        if previous == "" or previous in "[{," or (previous in ":-?" and spaced):
            starts.append(i)
            if char in "\"'":
                quote, opened = char, i
        previous = char
        i += 1
    return starts, (opened if quote else None)


def _token_starts(line: str) -> list[int]:
    return _scan(line)[0]


def _open_quote(line: str) -> int | None:
    return _scan(line)[1]


def _odd_space(line: str) -> int | None:
    for i, char in enumerate(line):
        if char in ODD_SPACES:
            before = line[:i]
            if not before.strip() or before.rstrip(ODD_SPACES).endswith((":", "-")):
                return i
        elif char in "\"'#":
            return None  # inside a quoted value or a comment any space is the writer's choice
    return None


def _flow_item_at(line: str, col: int) -> tuple[int, str]:
    """Where the item of a `[ ]` list around column `col` starts, and its text
    (`licensesToAssign[teacher].skuIds`)."""
    start = max(line.rfind(",", 0, col), line.find("[", 0, col)) + 1
    while start < len(line) and line[start] == " ":
        start += 1
    rest = line[start:]
    depth = 0
    for i, char in enumerate(rest):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0 or (char == "," and depth == 0):
            return start, rest[:i].strip()
    return start, rest.strip()


def _word_at(line: str, col: int) -> str:
    rest = line[col:]
    key = re.match(r"[^\s:]+(?=:\s|:$)", rest)
    return key.group(0) if key else _strip_comment(rest).strip()


def _strip_comment(text: str) -> str:
    return re.split(r"\s#", text, maxsplit=1)[0]


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_column(text: str) -> int:
    """Where the key of a line starts: after any `- ` of a list item (`  - appliesTo:` → 4)."""
    match = re.match(r"^(\s*(?:-\s+)*)", text)
    return len(match.group(1)) if match else 0


def _content(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous_content(lines: list[str], line: int) -> int | None:
    return next((n for n in range(line - 1, 0, -1) if _content(lines[n - 1])), None)
