"""The Microsoft Graph Industry Data API (new School Data Sync, Graph beta) in the emulator.

`IndustryData` holds the collections under `/beta/external/industryData`;
`IndustryDataDispatcher` answers the HTTP requests the server routes to it. Its model
(`catalog`) is its own, written from graph-industrydata-api.md (corrections first) and the Graph
docs' examples, never shared with the client's kinds: it is the client's test oracle.

Where the documentation is silent, the emulator decides as follows (the client must cope):

- Status codes: a body that can never be right is 400 `BadRequest`, listing every member path
  at fault; a write that conflicts with what the tenant holds is 409 `Conflict`: a DELETE of an
  object still bound to (source system <- connectors, connector/year <- inbound flows, flow set
  <- its flows: delete children first), a second active inbound flow for a year (active = no
  `expirationDateTime` or one in the future), a second provisioning flow of a type in a set,
  a duplicate reference row or `sortIndex`, and the 6th on-demand `runs/start` within 12 hours.
- Relationships are written only as `NAME@odata.bind` (full or relative URL, key in the path or
  in parentheses), never echoed by POST or plain GET/list; they are read through navigation GETs
  (`dataConnectors/{id}/sourceSystem`, `inboundFlows/{id}/dataConnector`, `…/year`) and
  `$expand` (`dataConnector`, `year`, `sourceSystem`, `provisioningFlows`, `*`). Role groups:
  a user flow's item GET returns `creationOptions.configurations[].roleGroup` inline (the docs'
  example), and `sourceSystems[/{id}]?$expand=userMatchingSettings/roleGroup` returns each
  matching setting's role group inline.
- PATCH replaces each member it names whole. Polymorphic objects need `@odata.type` on POST and
  PATCH; a PATCH naming a create-only member (reference §3), even unchanged, is 400; the members
  of correction 5 are required in every PATCH (a OneRoster credential with its `clientSecret`).
- Member names match case-insensitively and come back canonical; enum members too. Reference
  codes match the reference rows case-insensitively and come back as the row spells them
  (`paraProfessional` -> `paraprofessional`); unknown codes are 400 for role, section-role and
  file-format codes (documented lists), kept as sent for identifier types and match targets.
- Responses spell every `@odata.type` `#microsoft.graph.industryData.<type>` (as all documented
  responses do), on polymorphic entities and values and on reference definitions, not on
  source systems, years, role groups, flow sets or nested non-polymorphic values. Unset members
  come back null, except the undocumented `domainName` (left out while unset) and the
  deprecated `markAllStudentsAsMinors` (accepted, never returned).
- `clientSecret` is never returned; a password comes back `***************` (the docs' GET
  example) and whatever is sent is stored, a mask included, so a test can catch a client that
  sends a mask back.
- App-only tokens (a JWT with `roles` and no `scp`) need the collection's application role to
  write (e.g. `IndustryData-InboundFlow.ReadWrite.All`, `IndustryData-Run.Start`) and may never
  PATCH a flow set (403); reads are not checked; delegated and opaque tokens may do anything.
- Runs and validate operations settle after the emulator's provisioning delay on its clock; the
  wall clock used for timestamps and the run window advances with that clock.
"""

from __future__ import annotations

from reconciler.emulator.industrydata.dispatch import IndustryDataDispatcher, IndustryRequest
from reconciler.emulator.industrydata.routes import serves
from reconciler.emulator.industrydata.store import IndustryData

__all__ = ["IndustryData", "IndustryDataDispatcher", "IndustryRequest", "serves"]
