"""National clouds: Graph host and login authority per `--cloud`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cloud:
    name: str
    graph_host: str
    authority_host: str
    #: The SDS profile API is documented for the global service only.
    sds_profiles_documented: bool

    @property
    def graph_url(self) -> str:
        return f"{self.graph_host}/beta"

    @property
    def app_scope(self) -> str:
        return f"{self.graph_host}/.default"

    @property
    def delegated_scope(self) -> str:
        return f"{self.graph_host}/EduAdministration.ReadWrite"


CLOUDS: dict[str, Cloud] = {
    c.name: c
    for c in (
        Cloud("global", "https://graph.microsoft.com", "https://login.microsoftonline.com", True),
        Cloud("usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us", False),
        Cloud(
            "usgovdod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us", False
        ),
        Cloud(
            "china",
            "https://microsoftgraph.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
            False,
        ),
    )
}
