"""Hidden tests for lesson 02: run only by `course grade`, never shipped in the wheel or a student copy.

HIDDEN_CASES adds inputs to a function question's public cases; a learner's function must also
be right on these. Feedback says that a further check failed, never which input or value. No case
gives ``nan`` (the grader compares recorded numbers, and nan never equals nan).
"""

HIDDEN_CASES = {
    # a word repeated across a full stop; a curly apostrophe in the text but a straight one in the
    # terms; numbers as words; a text with no match at all
    "02.2": [
        ("Perhaps. Perhaps not.", ["perhaps"]),
        ("It\u2019s likely, isn't it?", ["it's", "likely"]),
        ("About 1,000 soldiers may have left; 1,000!", ["1,000", "may"]),
        ("Courts received 5,024 cases.", ["might"]),
    ],
}
