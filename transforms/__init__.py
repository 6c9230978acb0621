"""newsbeam's pipeline stages: one module per stage, each a composite PTransform
around small pure functions that tests call directly."""
