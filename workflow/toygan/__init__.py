"""toygan: GAN experiments on 1-D and 2-D toy distributions.

One subpackage per stage of the workflow (``workflow/rules/<stage>.smk``):

- ``config``: the config file parsed once: schema defaults and checks, loss defaults, typed
  settings, which settings are per-replica scalars, which plot keys each figure reads;
- ``data``: real data (synthetic draws, user files, held-out samples);
- ``training``: the compiled seed-group trainer, its networks, losses, checkpoints and per-seed
  outputs; the only code that imports TensorFlow;
- ``sampling``: samples and D's outputs from the saved models, with NumPy alone;
- ``evaluation``: metrics, noise floors, the known-truth W1 and the verdict;
- ``plots``: every figure and animation;
- ``summary``: cross-run tables;
- ``sweeps``: grid expansion, point names, batched jobs and a sweep's ranked table.

Shared by every stage: ``io`` (atomic writes), ``logs`` and ``code_files`` (which package files a
script runs, for the rules' code inputs). Subpackage ``__init__`` files import nothing, so a job
loads only the modules it uses.
"""
