"""Settings precedence (flag > environment > edusync.yaml > default) and cloud mapping."""

from __future__ import annotations

import pytest

from reconciler.errors import ConfigError
from reconciler.settings import FileSettings, UpdateMethod, resolve_settings


@pytest.mark.parametrize(
    ("cloud", "graph_url"),
    [
        ("global", "https://graph.microsoft.com/beta"),
        ("usgov", "https://graph.microsoft.us/beta"),
        ("usgovdod", "https://dod-graph.microsoft.us/beta"),
        ("china", "https://microsoftgraph.chinacloudapi.cn/beta"),
    ],
)
def test_cloud_sets_the_graph_host(cloud: str, graph_url: str) -> None:
    settings = resolve_settings(env={}, file=FileSettings(), cloud_flag=cloud)
    assert settings.graph_url == graph_url
    assert not settings.graph_url_overridden


def test_flag_beats_environment_beats_file_beats_default() -> None:
    file = FileSettings(graph_url="http://127.0.0.1:3/beta", parallelism=3, update_method="patch")
    env = {"EDUSYNC_GRAPH_URL": "http://127.0.0.1:2/beta", "EDUSYNC_PARALLELISM": "2"}
    settings = resolve_settings(env=env, file=file, graph_url_flag="http://127.0.0.1:1/beta/")
    assert settings.graph_url == "http://127.0.0.1:1/beta"
    assert settings.parallelism == 2
    assert settings.update_method is UpdateMethod.PATCH
    assert resolve_settings(env={}, file=file).graph_url == "http://127.0.0.1:3/beta"
    defaults = resolve_settings(env={}, file=FileSettings())
    assert (defaults.parallelism, defaults.update_method) == (4, UpdateMethod.PUT)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (FileSettings(cloud="mars"), "unknown cloud 'mars'"),
        (FileSettings(graph_url="ftp://x"), "must start with https://"),
        (FileSettings(update_method="post"), "update method 'post'"),
    ],
)
def test_bad_file_settings_are_config_errors(file: FileSettings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_settings(env={}, file=file)
