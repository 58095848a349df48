"""Hidden tests for lesson 07: run only by `course grade`, never shipped in the wheel or a student copy.

HIDDEN_CASES adds inputs to a function question's public cases; a learner's function must also
be right on these. Feedback says that a further check failed, never which input or value.
"""

HIDDEN_CASES = {
    # label_verdict(claimed, awol, desertion): both counts equal (desertion is checked first),
    # a claim exactly 10% below the desertion count, one just outside 10% of the AWOL count,
    # one inside it, and a claim far above both
    "07.9": [(5_000, 5_000, 5_000), (900, 20_000, 1_000), (17_900, 20_000, 3_000), (18_000, 20_000, 3_000),
             (250_000, 20_000, 3_000)],
}
