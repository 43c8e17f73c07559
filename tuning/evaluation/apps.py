from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tuning.evaluation"
    label = "evaluation"
    verbose_name = "Safety review, evaluation and release"
