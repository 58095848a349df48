"""Hidden tests for lesson 04: run only by `course grade`, never shipped in the wheel or a student copy.

HIDDEN_CASES adds inputs to a function question's public cases; a learner's function must also
be right on these. Feedback says that a further check failed, never which input or value.
"""

HIDDEN_CASES = {
    # a zero count, a denominator smaller than 1,000, and a count larger than its denominator
    "04.5": [(0, 250_000), (7, 300), (1_200, 1_000)],
}
