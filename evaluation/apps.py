from django.apps import AppConfig

# What the Reviewers group may do here: review requests (view and decide) and read the
# evaluation runs and model cards, and decide the release of a run the gate sent to human review
# (change_evaluationrun: the only change there is that decision). Nothing here can change a gate verdict.
REVIEWER_PERMISSIONS = [
    "evaluation.view_requestreview",
    "evaluation.change_requestreview",
    "evaluation.view_reviewdecision",
    "evaluation.view_evaluationrun",
    "evaluation.change_evaluationrun",
    "evaluation.view_modelcard",
]


class EvaluationConfig(AppConfig):
    name = "evaluation"
    label = "evaluation"
    verbose_name = "Safety review, evaluation and release"

    def ready(self) -> None:
        from accounts import roles

        for perm in REVIEWER_PERMISSIONS:
            if perm not in roles.REVIEWER_PERMISSIONS:
                roles.REVIEWER_PERMISSIONS.append(perm)
