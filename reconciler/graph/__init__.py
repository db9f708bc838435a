"""Microsoft Graph access: the HTTP client and its retry policy."""

from reconciler.graph.client import GraphClient, GraphResponse

__all__ = ["GraphClient", "GraphResponse"]
