"""One mistake, one message, in plain words, on the line of the mistake, with the likely fix.

Each case is a mistake a district admin makes (a YAML slip, text pasted from Word, a key at the
wrong level, a misspelling, a value of the wrong shape); the file must produce exactly one
problem, and that problem must say what to do.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.desired import load_desired
from tests.desired.test_validation_rules import POWERSCHOOL, VALID, problems_for

PS = POWERSCHOOL.format(secret="${PS_SECRET}")
ONEROSTER = """\
displayName: OR
dataProvider:
  "@odata.type": "#microsoft.graph.educationOneRosterApiDataProvider"
  connectionUrl: https://or.example.edu
  connectionSettings:
    "@odata.type": "#microsoft.graph.educationSynchronizationOAuth2ClientCredentialsConnectionSettings"
    clientId: abc
    clientSecret: ${OR_SECRET}
    tokenUrl: https://or.example.edu/token
identitySynchronizationConfiguration:
  "@odata.type": "#microsoft.graph.educationIdentityMatchingConfiguration"
  matchingOptions:
    - appliesTo: student
      sourcePropertyName: x
      targetPropertyName: y
"""

# (id, file text, "LINE:COL: severity: message fragment")
YAML_SLIPS = [
    (
        "alias with no anchor",
        PS.replace("clientId: abc", "clientId: *ps_client"),
        "5:13: error: invalid YAML: '*ps_client' repeats a value marked '&ps_client' earlier in "
        "the file, and there is no such mark: add '&ps_client' before the value to repeat, or, "
        "if '*' is part of the text, put the value in quotes",
    ),
    (
        "missing space after colon",
        VALID.replace("displayName: Test Profile", "displayName:Test Profile"),
        "1:12: error: invalid YAML: missing space after ':' in 'displayName:Test Profile': "
        "write 'displayName: Test Profile'",
    ),
    (
        "missing space after colon, nested",
        PS.replace("clientId: abc", "clientId:abc"),
        "5:11: error: invalid YAML: missing space after ':' in 'clientId:abc'",
    ),
    (
        "unquoted value holding ': '",
        VALID.replace("displayName: Test Profile", "displayName: Springfield: 2025-26"),
        """1:25: error: invalid YAML: the value of 'displayName' contains ': ', which YAML reads as a new key; put the value in quotes: displayName: "Springfield: 2025-26\"""",
    ),
    (
        "key indented deeper than its sibling",
        PS.replace("  clientId: abc", "   clientId: abc"),
        "5:4: error: invalid YAML: this line is indented more than line 4, so YAML reads it as "
        "more of the value of 'connectionUrl'",
    ),
    (
        "keys of one level not lined up (the parser blames the later line)",
        PS.replace(
            '  "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"',
            '    "@odata.type": "#microsoft.graph.educationPowerSchoolDataProvider"',
        ),
        "4:3: error: invalid YAML: this line is indented 2 spaces but line 3 above it, under the "
        "same 'dataProvider' (line 2), is indented 4 spaces",
    ),
    (
        "key without colon",
        VALID.replace("licensesToAssign:", "licensesToAssign"),
        "12:1: error: invalid YAML: 'licensesToAssign' is not a 'key: value' pair: a key needs a ':'",
    ),
    (
        "unclosed double quote (the parser gives up lines later)",
        VALID.replace("displayName: Test Profile", 'displayName: "Test Profile'),
        '1:14: error: invalid YAML: the quote " opened here is not closed on this line',
    ),
    (
        "unclosed bracket",
        VALID.replace(
            "skuIds: [6fd2c87f-b296-42f0-b197-1e91e994b900]",
            "skuIds: [6fd2c87f-b296-42f0-b197-1e91e994b900",
        ),
        "14:13: error: invalid YAML: the list opened here with '[' is not closed",
    ),
    (
        "text after a closing quote",
        VALID.replace("displayName: Test Profile", 'displayName: "Test" Profile'),
        "1:21: error: invalid YAML: text after the closing quote",
    ),
    (
        "unquoted @odata.type key",
        VALID.replace(
            '  "@odata.type": "#Microsoft.Education', '  @odata.type: "#Microsoft.Education'
        ),
        """3:3: error: invalid YAML: a key or value cannot start with '@' unless it is quoted: write "@odata.type\"""",
    ),
    (
        "tab in the indentation",
        VALID.replace("  customizations:", "\tcustomizations:"),
        "4:1: error: invalid YAML: a tab character is used to indent",
    ),
    (
        "key in a list's column",
        VALID.replace("    skuIds:", "  skuIds:"),
        "14:3: error: invalid YAML: 'skuIds' starts in the same column as the '- ' list items above it",
    ),
    (
        "second list item without a space after the dash",
        VALID.replace(
            "      name: testschool.edu",
            "      name: testschool.edu\n    -appliesTo: teacher\n      name: x.edu",
        ),
        "12:5: error: invalid YAML: a list item needs a space after '-': write '- appliesTo: teacher'",
    ),
    (
        "list item without a space after the dash",
        VALID.replace(
            "    - appliesTo: student\n      name: testschool.edu", "    -appliesTo: student"
        ),
        "10:5: error: identitySynchronizationConfiguration.userDomains must be a list of educationIdentityDomain entries (a list item needs a space after '-': '- appliesTo: student')",
    ),
]

YAML_SLIPS += [
    (
        "apostrophe inside single quotes",
        VALID.replace("displayName: Test Profile", "displayName: 'St Mary's'"),
        "1:23: error: invalid YAML: text after the closing quote: put the whole value inside the quotes (an apostrophe inside '…' is written twice: 'St Mary''s'",
    ),
    (
        "'=' instead of ':'",
        VALID.replace("displayName: Test Profile", "displayName = Test Profile"),
        "1:1: error: invalid YAML: YAML separates a key from its value with ': ', not '=': write 'displayName: Test Profile'",
    ),
    (
        "two dashes for a document separator",
        VALID.replace("licensesToAssign:", "--\nlicensesToAssign:"),
        "12:1: error: invalid YAML: a new document starts with exactly '---'",
    ),
    (
        "JSON with a missing comma",
        '{\n  "displayName": "x"\n  "dataProvider": {}\n}\n',
        "2:21: error: invalid YAML: a ',' is missing at the end of this line (before line 3)",
    ),
    (
        "JSON with a stray closing brace",
        '{\n  "displayName": "x"\n}\n}\n',
        "4:1: error: invalid YAML: unexpected text after the end of the profile: remove it",
    ),
]

PASTED = [
    (
        "curly quotes from Word",
        VALID.replace(
            '"@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"',
            "\u201c@odata.type\u201d: \u201c#microsoft.graph.educationCsvDataProvider\u201d",
        ),
        "3:3: error: curly quotes such as \u201c are not YAML quotes (pasted from Word or a web page?): replace the curly quotes \u201c \u201d with straight quotes",
    ),
    (
        "non-breaking spaces as indentation",
        VALID.replace("  customizations:", "\u00a0\u00a0customizations:"),
        "4:1: error: a non-breaking or other special space (U+00A0) where YAML needs an ordinary space",
    ),
]

WRONG_LEVEL = [
    (
        "key outdented out of its object",
        PS.replace("  clientId: abc\n", "") + "clientId: abc\n",
        "9:1: error: 'clientId' is not a property of the profile; it belongs under dataProvider (indent it)",
    ),
    (
        "key indented into the wrong object",
        ONEROSTER.replace("    tokenUrl: https://or.example.edu/token\n", "").replace(
            "      sourcePropertyName: x",
            "      sourcePropertyName: x\n      tokenUrl: https://or.example.edu/token",
        ),
        "14:7: error: 'tokenUrl' is not a property of identitySynchronizationConfiguration.matchingOptions[0]; it belongs under dataProvider.connectionSettings (move it there)",
    ),
    (
        "key indented one level too deep",
        PS.replace(
            "  clientSecret: ${PS_SECRET}\n",
            "  clientSecret: ${PS_SECRET}\n  customizations:\n    schoolYear: '2026'\n",
        ),
        "8:5: error: 'schoolYear' is not a property of dataProvider.customizations; it belongs directly under dataProvider (outdent it)",
    ),
    (
        "object left empty with its keys outdented",
        VALID.replace(
            '  "@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"\n  customizations:\n    student:\n      optionalPropertiesToSync: [State ID, Middle Name]\n',
            '"@odata.type": "#microsoft.graph.educationCsvDataProvider"\n',
        ),
        "3:1: error: '@odata.type' is not a property of the profile; it belongs under dataProvider (indent it)",
    ),
    (
        "misspelt required key: one message, not 'unknown' and 'missing'",
        PS.replace("connectionUrl:", "conectionUrl:"),
        "4:3: error: unknown property 'conectionUrl' in dataProvider (did you mean 'connectionUrl'?)",
    ),
    (
        "a key written twice in two spellings",
        PS.replace("  clientId: abc", "  clientId: abc\n  clientID: abc"),
        "6:3: error: unknown property 'clientID' in dataProvider (did you mean 'clientId'?), which is already set: remove one of the two",
    ),
    (
        "key another provider type has",
        VALID.replace(
            "  customizations:", "  connectionUrl: https://x.example.edu\n  customizations:"
        ),
        "4:3: error: unknown property 'connectionUrl' in dataProvider: educationCsvDataProvider has no 'connectionUrl' (educationPowerSchoolDataProvider and educationOneRosterApiDataProvider do); check its @odata.type",
    ),
    (
        "@odata.type written as a comment",
        VALID.replace(
            '"@odata.type": "#microsoft.graph.educationIdentityCreationConfiguration"',
            '"@odata.type": #microsoft.graph.educationIdentityCreationConfiguration',
        ),
        "8:3: error: identitySynchronizationConfiguration needs '@odata.type' naming its concrete type, one of: #microsoft.graph.educationIdentityCreationConfiguration, #microsoft.graph.educationIdentityMatchingConfiguration (the text after it starts with '#', which YAML reads as a comment",
    ),
]

FORMATS = [
    (
        "licence name where a SKU GUID belongs",
        VALID.replace("[6fd2c87f-b296-42f0-b197-1e91e994b900]", "[STANDARDWOFFPACK_STUDENT]"),
        "14:14: error: licensesToAssign[0].skuIds[0] must be a GUID, not 'STANDARDWOFFPACK_STUDENT': that is the licence name of Office 365 A1 for students; write its GUID 314c4481-f395-4525-be8b-2ec4bb1e9d91",
    ),
    (
        "unknown SKU name",
        VALID.replace("[6fd2c87f-b296-42f0-b197-1e91e994b900]", "[A1_STUDENTS]"),
        "14:14: error: licensesToAssign[0].skuIds[0] must be a GUID such as 314c4481-f395-4525-be8b-2ec4bb1e9d91, not 'A1_STUDENTS'",
    ),
    (
        "id that is not a GUID",
        "id: springfield-ps\n" + VALID,
        "1:5: error: id must be a GUID, not 'springfield-ps': id pins a profile by the GUID Graph gave it",
    ),
    (
        "empty required string",
        PS.replace("clientId: abc", 'clientId: ""'),
        "5:13: error: dataProvider.clientId is empty: write its value",
    ),
    (
        "required key with no value",
        PS.replace("clientId: abc", "clientId:"),
        "5:3: error: dataProvider.clientId has no value: write one after clientId:",
    ),
    (
        "connection URL without a scheme",
        PS.replace(
            "connectionUrl: https://ps.example.edu", "connectionUrl: springfield.powerschool.com"
        ),
        "4:18: error: dataProvider.connectionUrl must be a full address starting with https://, not 'springfield.powerschool.com': write https://springfield.powerschool.com",
    ),
    *(
        (
            f"connection URL {why}",
            PS.replace("connectionUrl: https://ps.example.edu", f"connectionUrl: {url}"),
            f"4:18: error: dataProvider.connectionUrl {message}",
        )
        for why, url, message in [
            (
                "with a port out of range",
                "https://ps.example.edu:99999",
                "is not a valid https:// address: 'https://ps.example.edu:99999'",
            ),
            (
                "with a space",
                "https://ps example.edu",
                "must be an https:// address without spaces, not 'https://ps example.edu'",
            ),
            ("over ftp", "ftp://ps.example.edu", "must be an https:// address, not ftp://"),
            (
                "with a password",
                "https://user:pw@ps.example.edu",
                "must not hold a user name or password; write the address alone",
            ),
            ("without a host", "https://", "is not a valid https:// address: 'https://'"),
        ]
    ),
    (
        "token URL over plain http",
        ONEROSTER.replace("tokenUrl: https://", "tokenUrl: http://"),
        "9:15: error: dataProvider.connectionSettings.tokenUrl must use https://, not http://",
    ),
    (
        "user domain written as a URL",
        VALID.replace("name: testschool.edu", "name: https://testschool.edu/"),
        "11:13: error: identitySynchronizationConfiguration.userDomains[0].name must be a domain name alone, not 'https://testschool.edu/': write testschool.edu",
    ),
    (
        "expiration date in the past",
        VALID + "expirationDate: 2020-06-30\n",
        "15:17: warning: expirationDate 2020-06-30 is in the past",
    ),
    (
        "secret written as $NAME",
        POWERSCHOOL.format(secret="$PS_SECRET"),
        "6:17: error: '$PS_SECRET' is not a variable reference here: write clientSecret: ${PS_SECRET}",
    ),
    (
        "secret written as %NAME%",
        POWERSCHOOL.format(secret="'%PS_SECRET%'"),
        "6:17: error: '%PS_SECRET%' is not a variable reference here: write clientSecret: ${PS_SECRET}",
    ),
    (
        "secret written as a GitHub Actions expression",
        POWERSCHOOL.format(secret="${{ secrets.PS_SECRET }}"),
        "6:17: error: '${{ secrets.PS_SECRET }}' is a GitHub Actions expression, which is not expanded in desired-state files: write ${PS_SECRET}",
    ),
    (
        "plain value written as $NAME",
        PS.replace("clientId: abc", "clientId: $PS_CLIENT_ID"),
        "5:13: warning: '$PS_CLIENT_ID' is sent as written: to use the environment variable, write ${PS_CLIENT_ID}",
    ),
    (
        "a list written with dashes but no spaces",
        VALID.replace("    - appliesTo: student\n      name: testschool.edu", "    -x"),
        "10:5: error: identitySynchronizationConfiguration.userDomains must be a list of educationIdentityDomain entries (a list item needs a space after '-': '- x')",
    ),
]

YAML_SLIPS += [
    (
        "a field path with [key] inside a [ ] list, unquoted",
        VALID + "lifecycle:\n  ignoreChanges: [licensesToAssign[teacher].skuIds]\n",
        "16:19: error: invalid YAML: a value inside '[ ]' or '{ }' that contains '[' must be quoted: write 'licensesToAssign[teacher].skuIds' (with the quotes)",
    ),
]
IGNORE_PATHS = [
    (
        "misspelt key of a keyed list",
        "licensesToAssign[teachr].skuIds",
        "ignoreChanges: 'licensesToAssign[teachr]': 'teachr' is not a valid appliesTo (did you mean 'licensesToAssign[teacher].skuIds'?)",
    ),
    (
        "misspelt keyed list",
        "licenseToAssign[teacher]",
        "ignoreChanges: 'licenseToAssign' is not a property (did you mean 'licensesToAssign[teacher]'?)",
    ),
    (
        "misspelt nested property is suggested at its own level",
        "dataProvider.customizations.studnet",
        "ignoreChanges: 'dataProvider.customizations.studnet' is not a property (did you mean 'dataProvider.customizations.student'?)",
    ),
    (
        "keyed list without a key",
        "licensesToAssign.skuIds",
        "ignoreChanges: 'licensesToAssign' is a keyed list: address an item by its appliesTo, e.g. licensesToAssign[teacher].skuIds",
    ),
]

# The fresh-try QA round (issue 10): each mistake with the message that tells its fix.
YAML_SLIPS += [
    (
        "a list opened at the end of the file",
        "displayName: [\n",
        "1:14: error: invalid YAML: the list opened here with '[' is not closed",
    ),
    (
        "a Windows %NAME% variable, unquoted",
        POWERSCHOOL.format(secret="%PS_SECRET%"),
        "6:17: error: invalid YAML: %PS_SECRET% is a Windows variable, which is not expanded "
        "here: write ${PS_SECRET}",
    ),
]
PASTED += [
    (
        "single curly quotes from Word",
        VALID.replace(
            '"@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"',
            "\u2018@odata.type\u2019: '#microsoft.graph.educationCsvDataProvider'",
        ),
        "3:3: error: curly quotes such as \u2018 are not YAML quotes (pasted from Word or a web "
        "page?): replace the curly quotes \u2018 \u2019 with straight quotes ' (or \")",
    ),
]
FORMATS += [
    (
        "a boolean in quotes",
        VALID + 'handleSpecialCharacterConstraint: "true"\n',
        '15:35: error: handleSpecialCharacterConstraint must be true or false, not the text "true": '
        "remove the quotes (write true)",
    ),
    (
        "dataProvider written as a list",
        VALID.replace(
            '  "@odata.type": "#Microsoft.Education.DataSync.educationCsvDataProvider"\n'
            "  customizations:\n    student:\n      optionalPropertiesToSync: [State ID, Middle Name]\n",
            "  - educationCsvDataProvider\n",
        ),
        "3:3: error: dataProvider must be a mapping with @odata.type, one of: "
        "educationCsvDataProvider, educationPowerSchoolDataProvider,",
    ),
    (
        "a variable without braces inside a URL",
        PS.replace("connectionUrl: https://ps.example.edu", "connectionUrl: https://$PS_HOST"),
        "4:18: warning: 'https://$PS_HOST' is sent as written: to use the environment variable, "
        "write https://${PS_HOST}",
    ),
    (
        "a comma in a host name",
        PS.replace("https://ps.example.edu", "https://springfield,powerschool.com"),
        "4:18: error: dataProvider.connectionUrl: the host name 'springfield,powerschool.com' "
        "cannot hold ',' (did you mean springfield.powerschool.com?)",
    ),
    (
        "a licence by its product name",
        VALID.replace("[6fd2c87f-b296-42f0-b197-1e91e994b900]", '["Office 365 A1 for students"]'),
        "14:14: error: licensesToAssign[0].skuIds[0] must be a GUID, not 'Office 365 A1 for "
        "students': that is the licence name of Office 365 A1 for students; write its GUID "
        "314c4481-f395-4525-be8b-2ec4bb1e9d91",
    ),
    (
        "one SKU written without brackets",
        VALID.replace(
            "[6fd2c87f-b296-42f0-b197-1e91e994b900]", "6fd2c87f-b296-42f0-b197-1e91e994b900"
        ),
        "14:13: error: licensesToAssign[0].skuIds must be a list: a list of one is written in "
        "brackets, [6fd2c87f-b296-42f0-b197-1e91e994b900]",
    ),
    (
        "two SKUs written without brackets",
        VALID.replace(
            "[6fd2c87f-b296-42f0-b197-1e91e994b900]",
            "6fd2c87f-b296-42f0-b197-1e91e994b900,  94763226-9b3c-4e75-a931-5c89701abe66",
        ),
        "14:13: error: licensesToAssign[0].skuIds must be a list: write the items in brackets: "
        "[6fd2c87f-b296-42f0-b197-1e91e994b900, 94763226-9b3c-4e75-a931-5c89701abe66]",
    ),
    (
        "school ids written without brackets",
        PS.replace("clientId: abc", "clientId: abc\n  schoolsIds: 101, 102"),
        "6:15: error: dataProvider.schoolsIds must be a list: write the items in brackets: "
        "[101, 102]",
    ),
    (
        "an expiration date further ahead than Graph allows",
        VALID + "expirationDate: 2099-12-31\n",
        "15:17: warning: expirationDate 2099-12-31 is more than 18 months away: Graph documents "
        "at most 18 months after the profile is created",
    ),
]

CASES = [*YAML_SLIPS, *PASTED, *WRONG_LEVEL, *FORMATS]


@pytest.mark.parametrize(
    ("text", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_mistake_one_message(write_tree, text: str, expected: str | None) -> None:
    problems = problems_for(write_tree({"profile.yaml": text}))
    if expected is None:
        assert problems == []
        return
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"desired/profile.yaml:{expected}"), problems


@pytest.mark.parametrize(
    ("path", "expected"), [(c[1], c[2]) for c in IGNORE_PATHS], ids=[c[0] for c in IGNORE_PATHS]
)
def test_ignore_change_paths_suggest_at_the_right_level(
    write_tree, path: str, expected: str
) -> None:
    text = VALID + f"lifecycle:\n  ignoreChanges: ['{path}']\n"
    problems = problems_for(write_tree({"profile.yaml": text}))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"desired/profile.yaml:16:19: error: {expected}"), problems


@pytest.mark.parametrize(
    "tail",
    ["---\n", "---\n# nothing more\n", "---\n---\n"],
    ids=["trailing ---", "trailing --- and a comment", "two trailing ---"],
)
def test_empty_documents_are_fine(write_tree, tail: str) -> None:
    state = load_desired(str(write_tree({"p.yaml": VALID + tail})))
    assert state.ok and [o.name for o in state.objects] == ["Test Profile"]


def test_an_empty_document_between_profiles_is_skipped(write_tree) -> None:
    other = VALID.replace("Test Profile", "Second")
    state = load_desired(str(write_tree({"p.yaml": VALID + "---\n---\n" + other})))
    assert state.ok and [o.name for o in state.objects] == ["Test Profile", "Second"]


def test_a_file_of_only_empty_documents_is_an_error(write_tree) -> None:
    problems = problems_for(write_tree({"p.yaml": "---\n---\n"}))
    assert problems == [
        "desired/p.yaml:1:1: error: file holds no profile, only empty documents: write a "
        "profile in it or delete it"
    ]


def test_an_explicit_null_document_is_still_an_error(write_tree) -> None:
    problems = problems_for(write_tree({"p.yaml": VALID + "---\nnull\n"}))
    assert any("a profile must be a YAML mapping" in p for p in problems), problems


def test_expiration_date_today_or_later_is_fine(write_tree) -> None:
    today = dt.date.today().isoformat()
    assert problems_for(write_tree({"p.yaml": VALID + f"expirationDate: {today}\n"})) == []


def test_curly_apostrophe_inside_a_name_is_fine(write_tree) -> None:
    text = VALID.replace("displayName: Test Profile", "displayName: St Mary\u2019s School")
    assert problems_for(write_tree({"p.yaml": text})) == []


def test_curly_quotes_on_many_lines_are_counted(write_tree) -> None:
    text = VALID.replace('"@odata.type"', "\u201c@odata.type\u201d")
    problems = problems_for(write_tree({"p.yaml": text}))
    assert len(problems) == 1 and "(and on 1 more line(s) in this file)" in problems[0]
