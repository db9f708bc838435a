"""One module per subcommand; the CLI adds every command listed here."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    from reconciler.commands import (
        apply_cmd,
        auth_cmd,
        demo_cmd,
        emulator_cmd,
        plan_cmd,
        schema_cmd,
        unbuilt,
        validate_cmd,
    )

    return [
        validate_cmd.validate,
        plan_cmd.plan,
        apply_cmd.apply,
        unbuilt.export,
        unbuilt.status,
        auth_cmd.login,
        auth_cmd.logout,
        demo_cmd.demo,
        emulator_cmd.emulator,
        schema_cmd.schema,
        unbuilt.convert_classic,
    ]
