"""Small models for module 05 ("Hidden numbers") and module 06 ("Cascades and feedback").

One module per model, each a frozen parameter dataclass and pure, vectorised NumPy functions;
randomness only ever comes in as a ``numpy.random.Generator`` passed as ``rng``. Importing this
package imports NumPy and nothing heavier.

- :mod:`~course.models.underreporting` — observed counts as a thinned true count, and back.
- :mod:`~course.models.capture_recapture` — Lincoln–Petersen and Chapman from two lists.
- :mod:`~course.models.cascade` — Granovetter's (1978) threshold model of collective behaviour.
- :mod:`~course.models.manpower` — a stock-and-flow model of the article's "vicious cycle".

Examples
--------
>>> from course.models import cascade
>>> cascade.equilibrium(range(100))
100
"""

from course.models import capture_recapture, cascade, manpower, underreporting

__all__ = ["capture_recapture", "cascade", "manpower", "underreporting"]
