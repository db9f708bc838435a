"""The Microsoft Graph Industry Data API (new School Data Sync, Graph beta) in the emulator.

`IndustryData` holds the collections under `/external/industryData`; `IndustryDataDispatcher`
answers the HTTP requests the server routes to it. Its model (`catalog`) is its own, written
from graph-industrydata-api.md, never shared with the client's kinds.
"""

from __future__ import annotations

from reconciler.emulator.industrydata.dispatch import IndustryDataDispatcher, IndustryRequest
from reconciler.emulator.industrydata.routes import serves
from reconciler.emulator.industrydata.store import IndustryData

__all__ = ["IndustryData", "IndustryDataDispatcher", "IndustryRequest", "serves"]
