"""The integration map: what each page of the static site shows, computed from the desired state, the snapshot,
the ledger, the HSA tree and a plan. Pure: the adapters render and write it."""
