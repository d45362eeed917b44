"""Ensure: create or update on identifying keys, and write nothing when nothing changed.

The lookup reads the whole stored object (not just its keys), only the given fields are compared
(dates as instants, 1 == 1.0, ``custom`` per field), only changed fields are sent, and a create goes
through a bulk upsert keyed on an identifying field (``sourceId``, ``externalId``), so a retried ensure
finds what the first attempt created instead of creating it again. It cannot stop two robots that
create the same new key at the same moment: Planhat has no unique constraint to refuse the second.
"""
