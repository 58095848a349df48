"""Hidden tests for lesson 06: run only by `course grade`, never shipped in the wheel or a student copy.

HIDDEN_CASES adds inputs to a function question's public cases; a learner's function must also
be right on these. Feedback says that a further check failed, never which input or value.
"""

HIDDEN_CASES = {
    # fractional thresholds, a crowd given unsorted with repeats, nobody at 0, a long staircase,
    # and a tuple instead of a list
    "06.2": [([0.5, 1.0, 2.5],), ([0, 1.5, 2],), ([2, 0, 1, 0],), ([5, 5, 5, 5, 5],), (list(range(100)),),
             ((0, 1, 3, 3),)],
}
