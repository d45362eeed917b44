"""Bulk upserts: validate the items, send them in chunks, read every answer, report what landed."""
