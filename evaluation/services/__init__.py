"""Review, evaluation, release and model cards, by sub-domain:

- `request_review`: `review_screen`, `review_approve`, `review_reject`;
- `runs`: `evaluation_run`, the gate's settlement, `release_review_approve` / `_block`;
- `releases`: `model_is_released` (the one check inference and downloads make), `run_is_released`;
- `reruns`: `job_rerun_with_recipe`;
- `model_cards`: `model_card_build`, `model_card_issue`.

They report a job's outcome through tuning.services (`job_review_decided`, `job_evaluation_finished`).
`grep -rn "^def " evaluation/services/` lists every action.
"""
from .request_review import (
    MAX_REASON_TEXT,
    REVIEW_PERMISSION,
    review_approvals,
    review_approve,
    review_reject,
    review_screen,
)
from .runs import (
    PROGRESS_WRITE_SECONDS,
    evaluation_recheck,
    evaluation_rechecks_due,
    evaluation_rechecks_queue,
    evaluation_resend_lost,
    evaluation_run,
    release_review_approve,
    release_review_block,
)
from .releases import (
    latest_completed_run,
    model_is_released,
    run_is_released,
)
from .reruns import (
    job_rerun_with_recipe,
)
from .model_cards import (
    model_card_build,
    model_card_issue,
)

__all__ = [
    "MAX_REASON_TEXT",
    "REVIEW_PERMISSION",
    "review_approvals",
    "review_approve",
    "review_reject",
    "review_screen",
    "PROGRESS_WRITE_SECONDS",
    "evaluation_recheck",
    "evaluation_rechecks_due",
    "evaluation_rechecks_queue",
    "evaluation_resend_lost",
    "evaluation_run",
    "latest_completed_run",
    "model_is_released",
    "release_review_approve",
    "release_review_block",
    "run_is_released",
    "job_rerun_with_recipe",
    "model_card_build",
    "model_card_issue",
]
