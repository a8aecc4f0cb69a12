"""Codes shared by the kernel, the summaries and the JSON form."""

# Classification codes of points (NHSRplotthedots ptd_point_type() values).
MISSING, COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = -1, 0, 1, 2, 3, 4
CLASSIFICATIONS = {
    COMMON: "common_cause",
    IMPROVEMENT: "special_cause_improvement",
    CONCERN: "special_cause_concern",
    NEUTRAL_HIGH: "special_cause_neutral_high",
    NEUTRAL_LOW: "special_cause_neutral_low",
}
# Assurance codes (NHSRplotthedots ptd_calculate_assurance_type(); "inconsistent" there).
ASSURANCE = {1: "consistent_pass", 2: "consistent_fail", 3: "hit_and_miss"}

# Why a phase has no control limits (`KernelOutput.row_no_limits`); see spc/README.md.
LIMITS_OK = 0
NO_VARIATION = 1  # XmR family: every baseline moving range is 0
NO_EVENTS = 2  # c, u, p, u', p': baseline centre 0
ALL_EVENTS = 3  # p, p': baseline centre 1 (every unit counted)
NO_GAPS = 4  # g: every baseline gap between events is 0
