"""Every value keeps its type in every format: a list is a list, an empty one `[]`."""

from __future__ import annotations

import json

from tests.e2e.test_plan_apply import converge


def _without_licences(sample) -> None:
    tp = sample / "test-profile.yaml"
    text = tp.read_text()
    head, _, _tail = text.partition("licensesToAssign:")
    tp.write_text(head + "licensesToAssign: []\n")


def test_an_empty_list_is_shown_as_an_empty_list(cli, graph_env, sample) -> None:
    _without_licences(sample)
    text = cli("plan", "--target", "Test Profile")
    assert "+ licensesToAssign: []" in text.out, text.out
    assert "{}" not in text.out
    markdown = cli("plan", "--target", "Test Profile", "--format", "markdown")
    assert "+ licensesToAssign: []" in markdown.out
    document = json.loads(cli("plan", "--target", "Test Profile", "--format", "json").out)
    (create,) = [c for c in document["changes"] if c["action"] == "create"]
    fields = {f["path"]: f for f in create["fields"]}
    assert fields["licensesToAssign"]["after"] == []


def test_keyed_lists_are_lists_in_an_update(cli, graph_env, sample) -> None:
    converge(cli)
    _without_licences(sample)
    document = json.loads(cli("plan", "--format", "json").out)
    (update,) = [c for c in document["changes"] if c["action"] == "update"]
    for field in update["fields"]:
        for value in (field["before"], field["after"]):
            # Never the internal {"[student]": …} mapping.
            assert not (isinstance(value, dict) and any(k.startswith("[") for k in value))
    text = cli("plan").out
    assert '~ licensesToAssign: [{"appliesTo": "teacher"' in text and "→ []" in text


def test_a_delete_shows_what_the_admin_recognises(cli, graph_env, sample) -> None:
    ps = sample / "powerschool.yaml"
    schools = ", ".join(f'"{n}"' for n in range(100, 140))
    ps.write_text(
        ps.read_text().replace('schoolsIds: ["101", "102", "205"]', f"schoolsIds: [{schools}]")
    )
    converge(cli)
    ps.unlink()
    plan = cli("plan", "--prune").out
    block = plan.split('"Contoso PowerSchool 2025-26"', 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in block.splitlines()[1:]]
    assert [line.split(":", 1)[0] for line in lines] == [
        "- dataProvider.@odata.type",
        "- dataProvider.connectionUrl",
        "- dataProvider.schoolYear",
        "- dataProvider.schoolsIds",
        "- identitySynchronizationConfiguration.@odata.type",
        "- licensesToAssign",
        "- expirationDate",
    ]
    assert '"100", "101", "102", "103", "104", … 35 more (40 in all)]' in block
    # Server defaults and empty customization slots stay out of it.
    assert "synchronizationStartDate" not in plan and "isSyncDeferred" not in plan
    document = json.loads(cli("plan", "--prune", "--format", "json").out)
    (delete,) = [c for c in document["changes"] if c["action"] == "delete"]
    schools_field = next(f for f in delete["fields"] if f["path"] == "dataProvider.schoolsIds")
    assert len(schools_field["before"]) == 40  # the plan file keeps the whole value


def test_the_sign_in_line_is_plain(cli, graph_env, sample) -> None:
    err = cli("plan").err
    assert "using the token in EDUSYNC_ACCESS_TOKEN (permissions unknown: Graph will decide)" in err
    assert "static token" not in err and "(unknown)" not in err
