"""The query language of Query Entities, Count Entities and Export Entities: syntax, evaluation, plan, field checks."""
