"""The config, parsed once: `validate` (schema defaults and checks), `loss_defaults`,
`settings` (typed, frozen settings of an experiment), `scalars` (per-replica scalars and
structure) and `figures` (the plot keys each figure reads). No TensorFlow."""
