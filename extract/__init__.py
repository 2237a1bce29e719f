"""The thin extractor of the dealer-group warehouse: landing zone -> raw schema, with a load ledger."""
