"""GitHub Actions integration: the REST client, the Actions environment, the sticky plan
comment, the drift issue and the reviewed-plan record.

Pure parts (markers, records, phrases, warnings, comment layout) are apart from the parts
that talk HTTP (`client`, `sticky`, `drift`, `pulls`), so each is tested on its own; the HTTP
parts are tested against a fake GitHub REST API served on 127.0.0.1.
"""
