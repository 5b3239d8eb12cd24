"""Early warning: features per student per term, the ABC rule score and the trained risk model.

Framework-free (no frappe); numpy and scikit-learn are imported only inside the functions that need them.

* :mod:`~ai_school.core.insights.records` — plain input records (results, attendance, incidents, terms,
  grading scale, pass mark) and ``SchoolData``.
* :mod:`~ai_school.core.insights.features` — ``extract_features(data, as_of=...) -> [TermFeatures]``,
  ``labelled_examples`` (mid-term features with the end-of-term outcome), ``school_medians``.
* :mod:`~ai_school.core.insights.rules` — ``abc_score(features, cutpoints, medians) -> RiskScore``, the
  transparent rule with configurable ``AbcCutpoints``.
* :mod:`~ai_school.core.insights.model` — ``RiskModel``: calibrated logistic regression whose per-input
  contributions add up to the score; ``to_dict``/``from_dict`` for storing a model version.
* :mod:`~ai_school.core.insights.validation` — metrics, repeated stratified k-fold, time-ordered
  validation (train on earlier terms, test on later ones), ``fit_version`` (a stored model version with
  both kinds of metrics), baselines, ``enough_history`` (when to switch from the rule to the model).
* :mod:`~ai_school.core.insights.scores` — ``RiskScore``, ``Contribution``, ``Tiers``.
* :mod:`~ai_school.core.insights.wording` — the plain-words reasons.
* :mod:`~ai_school.core.insights.assessment` — ``build_insight``: an Assessment Result's gaps per criterion
  against its plan's group mean, its trend against earlier results, templated suggestions, and the number
  check an LLM's wording must pass (``accept_wording``).
* :mod:`~ai_school.core.insights.cli` — ``python -m ai_school.core.insights.cli evaluate --csv FILE --label COL``.
"""
