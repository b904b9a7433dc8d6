"""The speaker-conversation factorial experiment (Seyfarth, Srinivasan & Kirchhoff, 2021).

- :mod:`~reviewer.factorial.variance`: the cells and the variance of a measure attributed to
  voices, structure and residual (closed-form ANOVA, REML);
- :mod:`~reviewer.factorial.bootstrap`: their confidence intervals (crossed bootstrap).
"""
