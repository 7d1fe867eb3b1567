# toygan: GAN experiments on distributions you can see.
# Thin entry point: each stage lives in workflow/rules/<stage>.smk, helpers in common.smk.
from snakemake.utils import min_version

min_version("9.0")


# `--configfile X` replaces config.yaml instead of merging into it, so a preset
# (tests/config/tiny.yaml, workflow/benchmarks/*.yaml) never inherits the shipped experiments.
if not workflow.overwrite_configfiles:

    configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/sample.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/plots.smk"
include: "workflow/rules/summary.smk"
include: "workflow/rules/sweeps.smk"


report: "workflow/report/workflow.rst"


check_code_inputs()
if workflow.is_main_process and (stale := stale_results_warning()):
    logger.warning(stale)


rule all:
    default_target: True
    input:
        all_outputs(),
