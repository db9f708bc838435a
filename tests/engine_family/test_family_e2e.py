"""The engine with a kind family it was not written for, through the CLI, over loopback:
references bound to ids created in the same run, dependency order both ways, 204 + re-read,
no async state, create-only members, and the offline checks of references."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import run
from tests.engine_family.kinds import FAMILY_REGISTRY
from tests.engine_family.server import GROUPS, WIDGETS, FamilyServer

TOKEN = "family-opaque-token"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FamilyServer]:
    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "EDUSYNC_FORMAT",
        "EDUSYNC_UPDATE_METHOD",
        "GITHUB_ACTIONS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDUSYNC_ACCESS_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    with FamilyServer() as fake:
        monkeypatch.setenv("EDUSYNC_GRAPH_URL", fake.base_url)
        yield fake


def desired(files: dict[str, str]) -> str:
    root = Path("desired-state")
    if root.exists():
        for old in root.iterdir():
            old.unlink()
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return str(root)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args), registry=FAMILY_REGISTRY)
    out, err = capsys.readouterr()
    return code, out, err


def group(name: str, colour: str = "blue") -> str:
    return f"kind: widgetGroup\ndisplayName: {name}\ncolour: {colour}\n"


def widget(name: str, group_ref: str, size: str = "S", serial: str = "1") -> str:
    return (
        f"kind: widget\n'@odata.type': '#test.family.widget'\ndisplayName: {name}\n"
        f"size: {size}\nserial: '{serial}'\ngroup: {{ref: {group_ref}}}\n"
    )


def writes(server: FamilyServer) -> list[str]:
    return [f"{s.method} {s.path}" for s in server.writes()]


def converged(capsys: pytest.CaptureFixture[str], path: str) -> bool:
    code, _out, err = cli(capsys, "plan", path, "--detailed-exitcode")
    assert code in (0, 2), err
    return code == 0


def test_create_both_in_one_apply_binds_the_new_parent_id(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # The widget is listed first and names its group in another case: the group is created
    # first anyway, and the bind carries the id Graph gave it.
    # By name alone the widget would come first (W1 < Zebra).
    path = desired({"a-widget.yaml": widget("W1", "zebra"), "b-group.yaml": group("Zebra")})
    code, out, err = cli(capsys, "plan", path, "--format", "json")
    document = json.loads(out)
    assert [(c["kind"], c["action"]) for c in document["changes"]] == [
        ("widgetGroup", "create"),
        ("widget", "create"),
    ]
    assert document["changes"][1]["depends_on"] == [
        {"kind": "widgetGroup", "name": "Zebra", "action": "create"}
    ]
    assert "depends_on" not in document["changes"][0]

    code, out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 0, err
    assert writes(server) == [f"POST {GROUPS}", f"POST {WIDGETS}"]
    [group_id] = server.state.groups
    posted = server.writes()[1].body
    assert posted["group@odata.bind"] == f"{server.base_url}/{GROUPS}/{group_id}"
    assert posted["@odata.type"] == "#test.family.widget"
    assert "group" not in posted
    [widget_id] = server.state.widgets
    assert server.state.bound[(widget_id, "group")] == group_id
    assert converged(capsys, path)  # read back through GET …/widgets/{id}/group


def test_update_rebinds_to_a_parent_created_in_the_same_run_with_patch_and_reread(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue")
    widget_id = server.seed_widget(blue, displayName="W1", size="S", serial="1")
    path = desired(
        {
            "blue.yaml": group("Blue"),
            "red.yaml": group("Red", "red"),
            "w1.yaml": widget("W1", "Red", size="M"),
        }
    )
    code, out, err = cli(capsys, "plan", path)
    assert code == 0, err
    assert 'group: "Blue" → "Red"' in out
    assert "after create widgetGroup 'Red'" in out

    code, out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 0, err
    red = next(i for i, g in server.state.groups.items() if g["displayName"] == "Red")
    assert writes(server) == [f"POST {GROUPS}", f"PATCH {WIDGETS}/{widget_id}"]
    patch = server.writes()[1].body
    # PATCH partial: the changed members, the one the kind always sends, the new bind, and
    # the concrete type (a polymorphic kind's PATCH names it).
    assert patch == {
        "@odata.type": "#test.family.widget",
        "displayName": "W1",
        "size": "M",
        "group@odata.bind": f"{server.base_url}/{GROUPS}/{red}",
    }
    after_patch = [f"{s.method} {s.path}" for s in server.state.sent]
    patched_at = after_patch.index(f"PATCH {WIDGETS}/{widget_id}")
    assert after_patch[patched_at + 1] == f"GET {WIDGETS}/{widget_id}"  # the 204 re-read
    assert server.state.bound[(widget_id, "group")] == red
    assert converged(capsys, path)


def test_prune_deletes_children_before_their_parent(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    keep = server.seed_group(displayName="Keep", colour="blue")
    server.seed_widget(keep, displayName="Kept", size="S", serial="1")
    gone = server.seed_group(displayName="Abandoned")  # sorts before its children
    children = [
        server.seed_widget(gone, displayName=f"Child {i}", size="S", serial=str(i))
        for i in range(3)
    ]
    path = desired({"keep.yaml": group("Keep"), "kept.yaml": widget("Kept", "Keep")})
    code, out, err = cli(capsys, "plan", path, "--prune", "--format", "json")
    actions = [
        (c["name"], c["action"]) for c in json.loads(out)["changes"] if c["action"] != "noop"
    ]
    assert actions[-1] == ("Abandoned", "delete")

    code, out, err = cli(capsys, "apply", path, "--prune", "--auto-approve", "--parallelism", "4")
    assert code == 0, err
    sent = writes(server)
    assert sent[-1] == f"DELETE {GROUPS}/{gone}"  # a still-referenced group answers 409
    assert sorted(sent[:-1]) == sorted(f"DELETE {WIDGETS}/{c}" for c in children)
    assert set(server.state.groups) == {keep}
    assert converged(capsys, path)


def test_a_create_only_change_replaces_the_object_and_binds_its_parent(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue")
    old = server.seed_widget(blue, displayName="W1", size="S", serial="1")
    path = desired({"blue.yaml": group("Blue"), "w1.yaml": widget("W1", "Blue", serial="2")})
    code, out, err = cli(capsys, "plan", path)
    assert "REPLACE: serial can only be set when the widget is created" in out

    code, out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 1
    assert "--allow-replace" in err
    assert writes(server) == []

    code, out, err = cli(capsys, "apply", path, "--auto-approve", "--allow-replace")
    assert code == 0, err
    assert writes(server) == [f"DELETE {WIDGETS}/{old}", f"POST {WIDGETS}"]
    assert server.writes()[1].body["group@odata.bind"].endswith(f"/{GROUPS}/{blue}")
    assert converged(capsys, path)


def test_an_unresolvable_reference_is_a_validation_error_and_nothing_is_sent(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = desired({"blue.yaml": group("Blue"), "w1.yaml": widget("W1", "Bleu")})
    code, out, _err = cli(capsys, "validate", path)
    assert code == 1
    assert (
        "w1.yaml:6:14: error: group: no widgetGroup named 'Bleu' is declared (did you mean 'Blue'?)"
    ) in out
    code, out, _err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 1
    assert server.state.sent == []


def test_a_reference_cycle_is_an_error_naming_each_member(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    looped = group("Blue") + "showcase: {ref: W1}\n"
    path = desired({"blue.yaml": looped, "w1.yaml": widget("W1", "Blue")})
    code, out, _err = cli(capsys, "validate", path)
    assert code == 1
    cycle_lines = [line for line in out.splitlines() if "reference cycle" in line]
    assert len(cycle_lines) == 2
    assert all("widgetGroup 'Blue'" in line and "widget 'W1'" in line for line in cycle_lines)
    assert {line.split(":")[0].rsplit("/", 1)[-1] for line in cycle_lines} == {
        "blue.yaml",
        "w1.yaml",
    }
    assert server.state.sent == []


def test_a_failed_parent_leaves_its_children_not_attempted(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.state.fail_names = {"Blue"}
    path = desired(
        {
            "blue.yaml": group("Blue"),
            "red.yaml": group("Red"),
            "w1.yaml": widget("W1", "Blue"),
            "w2.yaml": widget("W2", "Red"),
        }
    )
    code, out, _err = cli(capsys, "apply", path, "--auto-approve", "--format", "json")
    assert code == 1
    report = json.loads(out)
    outcomes = {o["name"]: (o["status"], o["detail"]) for o in report["outcomes"]}
    assert outcomes["Blue"][0] == "failed"
    assert outcomes["W1"] == ("not_attempted", "depends on widgetGroup 'Blue', which failed")
    assert outcomes["Red"][0] == outcomes["W2"][0] == "done"
    assert [w for w in writes(server) if w == f"POST {WIDGETS}"] == [f"POST {WIDGETS}"]


def test_dry_run_shows_the_placeholder_of_an_id_not_created_yet(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = desired({"blue.yaml": group("Blue"), "w1.yaml": widget("W1", "Blue")})
    code, out, err = cli(capsys, "apply", path, "--dry-run")
    assert code == 0, err
    assert f"{server.base_url}/{GROUPS}/{{id of 'Blue'}}" in out
    assert writes(server) == []


def test_parallel_apply_keeps_every_child_after_its_parent(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {}
    for i in range(4):
        files[f"g{i}.yaml"] = group(f"G{i}")
        files[f"w{i}.yaml"] = widget(f"W{i}", f"G{i}")
    path = desired(files)
    code, _out, err = cli(capsys, "apply", path, "--auto-approve", "--parallelism", "2")
    assert code == 0, err
    assert server.state.most_in_flight <= 2
    sent = server.writes()
    for i in range(4):
        [group_id] = [k for k, g in server.state.groups.items() if g["displayName"] == f"G{i}"]
        made = next(
            n for n, s in enumerate(sent) if s.path == GROUPS and s.body["displayName"] == f"G{i}"
        )
        bound = next(
            n for n, s in enumerate(sent) if s.path == WIDGETS and s.body["displayName"] == f"W{i}"
        )
        assert made < bound
        assert sent[bound].body["group@odata.bind"].endswith(group_id)
    assert converged(capsys, path)


def test_replacing_a_parent_names_the_objects_still_referring_to_it(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue", material="wood")
    server.seed_widget(blue, displayName="W1", size="S", serial="1")
    path = desired(
        {"blue.yaml": group("Blue") + "material: steel\n", "w1.yaml": widget("W1", "Blue")}
    )
    code, out, err = cli(capsys, "plan", path)
    assert code == 0, err
    assert "material can only be set when the widget group is created" in out
    assert "widget 'W1' still refer(s) to this widget group" in out


def test_export_writes_a_reference_as_its_target_key_and_plans_clean(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue")
    server.seed_widget(blue, displayName="W1", size="S", serial="1")
    code, _out, err = cli(capsys, "export", "desired-state")
    assert code == 0, err
    exported = [p.read_text() for p in Path("desired-state").glob("*.yaml")]
    [w1] = [text for text in exported if "displayName: W1" in text]
    assert "group:\n  ref: Blue\n" in w1
    assert converged(capsys, "desired-state")
    assert writes(server) == []


def test_a_replaced_parent_carries_the_replace_through_a_create_only_reference(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue", material="wood")
    old = server.seed_widget(blue, origin=blue, displayName="W1", size="S", serial="1")
    path = desired(
        {
            "blue.yaml": group("Blue") + "material: steel\n",
            "w1.yaml": widget("W1", "Blue") + "origin: {ref: Blue}\n",
        }
    )
    code, out, err = cli(capsys, "plan", path)
    assert code == 0, err
    assert "REPLACE: origin refers to a widgetGroup that is replaced" in out
    assert "still refer" not in out  # the widget lets go first: nothing left referring to it

    code, out, err = cli(capsys, "apply", path, "--auto-approve", "--allow-replace")
    assert code == 0, err
    # Children's deletes first, then the parent anew, then the children bound to its new id.
    assert writes(server) == [
        f"DELETE {WIDGETS}/{old}",
        f"DELETE {GROUPS}/{blue}",
        f"POST {GROUPS}",
        f"POST {WIDGETS}",
    ]
    [new_group] = server.state.groups
    posted = server.writes()[3].body
    assert posted["group@odata.bind"] == posted["origin@odata.bind"]
    assert posted["origin@odata.bind"].endswith(f"/{GROUPS}/{new_group}")
    assert converged(capsys, path)


def part(name: str, group_ref: str, weight: str = "1") -> str:
    return f"kind: part\ndisplayName: {name}\nweight: '{weight}'\ngroup: {{ref: {group_ref}}}\n"


def test_a_contained_kind_is_written_in_its_container_created_in_the_same_run(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = desired({"blue.yaml": group("Blue"), "bolt.yaml": part("Bolt", "Blue")})
    code, _out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 0, err
    [blue] = server.state.groups
    assert writes(server) == [f"POST {GROUPS}", f"POST {GROUPS}/{blue}/parts"]
    assert server.writes()[1].body == {"displayName": "Bolt", "weight": "1"}  # no bind
    assert converged(capsys, path)  # listed in each group, named by it

    path = desired({"blue.yaml": group("Blue"), "bolt.yaml": part("Bolt", "Blue", weight="2")})
    code, _out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 0, err
    [bolt] = server.state.parts
    assert writes(server)[-1] == f"PATCH {GROUPS}/{blue}/parts/{bolt}"
    assert converged(capsys, path)


def test_a_contained_object_moved_to_another_container_is_a_replace_across_them(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its container is part of its URL: no PATCH can move it (one sent to the old container
    changed nothing, and the plan never converged). It is deleted there and created anew in
    the new one, as a replace, with --allow-replace."""
    blue = server.seed_group(displayName="Blue", colour="blue")
    red = server.seed_group(displayName="Red", colour="red")
    bolt = server.seed_part(blue, displayName="Bolt", weight="1")
    groups = {"b.yaml": group("Blue"), "r.yaml": group("Red", "red")}
    path = desired({**groups, "bolt.yaml": part("Bolt", "Red")})
    code, out, _err = cli(capsys, "plan", path)
    assert code == 0
    assert 'the part moves from widgetGroup "Blue" to "Red", and cannot move in place' in out
    assert "must be REPLACED" in out
    code, _out, err = cli(capsys, "apply", path, "--auto-approve")
    assert code == 1 and "--allow-replace" in err
    assert writes(server) == []
    code, _out, err = cli(capsys, "apply", path, "--auto-approve", "--allow-replace")
    assert code == 0, err
    assert writes(server) == [f"DELETE {GROUPS}/{blue}/parts/{bolt}", f"POST {GROUPS}/{red}/parts"]
    assert converged(capsys, path)


def test_prune_deletes_contained_objects_before_their_container(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    keep = server.seed_group(displayName="Keep", colour="blue")
    server.seed_part(keep, displayName="Kept", weight="1")
    gone = server.seed_group(displayName="Abandoned")
    nut = server.seed_part(gone, displayName="Nut", weight="1")
    path = desired({"keep.yaml": group("Keep"), "kept.yaml": part("Kept", "Keep")})
    code, _out, err = cli(capsys, "apply", path, "--prune", "--auto-approve")
    assert code == 0, err
    assert writes(server) == [f"DELETE {GROUPS}/{gone}/parts/{nut}", f"DELETE {GROUPS}/{gone}"]
    assert converged(capsys, path)


def test_status_and_doctor_read_a_contained_kind_within_its_containers(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blue = server.seed_group(displayName="Blue", colour="blue")
    server.seed_part(blue, displayName="Bolt", weight="1")
    path = desired({"blue.yaml": group("Blue"), "bolt.yaml": part("Bolt", "Blue")})
    code, out, err = cli(capsys, "status", path)
    assert code == 0, err
    assert "part Bolt" in out
    code, out, err = cli(capsys, "doctor", path)
    assert code == 0, out + err
    assert "API widgetGroup" in out
    assert "API part" not in out  # reached through its container's API


def test_validation_names_the_object_by_its_kind_noun(
    server: FamilyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    untyped = "kind: widget\ndisplayName: W1\ngroup: {ref: Blue}\n"
    path = desired({"blue.yaml": group("Blue"), "w1.yaml": untyped})
    code, out, _err = cli(capsys, "validate", path)
    assert code == 1
    assert "the widget needs '@odata.type' naming its concrete type" in out
