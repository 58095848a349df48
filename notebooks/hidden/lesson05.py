"""Hidden tests for lesson 05: run only by `course grade`, never shipped in the wheel or a student copy.

HIDDEN_CASES adds inputs to a function question's public cases; a learner's function must also
be right on these. Feedback says that a further check failed, never which input or value.
"""

HIDDEN_CASES = {
    # two empty lists, a one-name second list, lists that never overlap, and very large lists
    # (integer division or rounding inside the formula shows up here)
    "05.4": [(0, 0, 0), (1_000, 1, 1), (3, 7, 0), (1_000_000, 800_000, 123_457)],
}
